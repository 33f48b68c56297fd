/// The OAuth scopes of the LTI Advantage services (issue 19 item 2). A tool asks for them with `client_credentials`
/// and a `private_key_jwt` assertion (1EdTech Security Framework 1.0 §4.1); approval grants them and a school that
/// allows the tool lends them for its classes, as the OneRoster scopes are lent.
public enum LTIScopes {
    /// Names and Role Provisioning Services 2.0 §3.6: read a context's memberships.
    public static let contextMembershipRead = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
    /// Assignment and Grade Services 2.0 §3.1: create, read, change and delete the tool's line items.
    public static let lineItem = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
    /// AGS 2.0 §3.1: read the tool's line items only.
    public static let lineItemRead = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
    /// AGS 2.0 §3.1: read results.
    public static let resultRead = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
    /// AGS 2.0 §3.1: post scores.
    public static let score = "https://purl.imsglobal.org/spec/lti-ags/scope/score"

    /// Every LTI service scope, in the order the registry lists them.
    public static let all = [contextMembershipRead, lineItem, lineItemRead, resultRead, score]
}
