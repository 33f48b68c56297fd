/// The platform's side of a third-party-initiated login (1EdTech Security Framework 1.0 §5.1.1.1, LTI Core 1.3 §4.1):
/// the fields the class page's launch form sends to the tool's login initiation URL. `lti_message_hint` is the random
/// value whose digest names the ``LTIPendingLaunch``; it is the only thing that ties the tool's answer to the launch.
public struct LTILoginInitiation: Sendable, Equatable {
    /// `iss`: the platform's issuer.
    public var issuer: String
    /// `login_hint`: the person, as the launch's `sub` names them.
    public var loginHint: String
    /// `target_link_uri`.
    public var targetLinkURI: String
    /// `lti_message_hint`.
    public var messageHint: String
    /// `lti_deployment_id`.
    public var deploymentID: String
    /// `client_id`: the tool's client id (a platform may register one tool several times).
    public var clientID: ClientID

    /// The fields.
    public init(issuer: String, loginHint: String, targetLinkURI: String, messageHint: String, deploymentID: String, clientID: ClientID) {
        self.issuer = issuer
        self.loginHint = loginHint
        self.targetLinkURI = targetLinkURI
        self.messageHint = messageHint
        self.deploymentID = deploymentID
        self.clientID = clientID
    }

    /// The form fields in the order the specification lists them.
    public var fields: [(name: String, value: String)] {
        [
            ("iss", issuer), ("login_hint", loginHint), ("target_link_uri", targetLinkURI), ("lti_message_hint", messageHint),
            ("lti_deployment_id", deploymentID), ("client_id", clientID.rawValue),
        ]
    }
}
