/// Claim names and vocabularies of LTI 1.3 and its services (LTI Core 1.3 §5, NRPS 2.0 §3.6.1, AGS 2.0 §3.4), written
/// once so the launch, the services and the tests agree.
public enum LTIClaims {
    /// The prefix of the LTI Core claims.
    public static let prefix = "https://purl.imsglobal.org/spec/lti/claim/"
    /// LTI Core §5.3.1: `LtiResourceLinkRequest` or, for Deep Linking 2.0, `LtiDeepLinkingRequest`.
    public static let messageType = prefix + "message_type"
    /// LTI Core §5.3.2: always `1.3.0`.
    public static let version = prefix + "version"
    /// LTI Core §5.3.3.
    public static let deploymentID = prefix + "deployment_id"
    /// LTI Core §5.3.4.
    public static let targetLinkURI = prefix + "target_link_uri"
    /// LTI Core §5.3.5: `{id, title}`.
    public static let resourceLink = prefix + "resource_link"
    /// LTI Core §5.3.7: role URIs.
    public static let roles = prefix + "roles"
    /// LTI Core §5.4.6: the placement's custom parameters, string values.
    public static let custom = prefix + "custom"
    /// LTI Core §5.4.1: `{id, label, title, type}`.
    public static let context = prefix + "context"
    /// LTI Core §5.4.2: `{guid, name, product_family_code}`.
    public static let toolPlatform = prefix + "tool_platform"
    /// NRPS 2.0 §3.6.1.1: `{context_memberships_url, service_versions}`.
    public static let namesRoleService = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
    /// AGS 2.0 §3.4: `{scope, lineitems, lineitem}`.
    public static let gradeServiceEndpoint = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

    /// Deep Linking 2.0 §4.4.1: `{deep_link_return_url, accept_types, accept_presentation_document_targets, accept_multiple, data}`.
    public static let deepLinkingSettings = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

    /// Deep Linking 2.0 §4.5.6: the content items of a response.
    public static let contentItems = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
    /// Deep Linking 2.0 §4.5.5: the `data` of the request, echoed.
    public static let deepLinkingData = "https://purl.imsglobal.org/spec/lti-dl/claim/data"

    /// The LTI version every message names.
    public static let versionValue = "1.3.0"
    /// LTI Core Appendix A.1: a course section, which a CatalystWells class is.
    public static let courseSection = "http://purl.imsglobal.org/vocab/lis/v2/course#CourseSection"

    /// LTI Core Appendix A.2.3 context roles of a class member, with the institution role of Appendix A.2.2 after it.
    public static func roles(of role: Role) -> [String] {
        switch role {
        case .student:
            ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner", "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"]
        case .teacher:
            ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor", "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Faculty"]
        case .parent: ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"]
        case .schoolAdmin:
            [
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator",
                "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
            ]
        case .platformAdmin: ["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"]
        }
    }
}

/// The message an LTI launch carries (LTI Core §5.3.1, Deep Linking 2.0 §4.4).
public enum LTIMessageType: String, Sendable, Equatable {
    /// Open a placed resource link.
    case resourceLink = "LtiResourceLinkRequest"
    /// Ask the tool to choose content to place (Deep Linking 2.0).
    case deepLinking = "LtiDeepLinkingRequest"
    /// The tool's answer to a Deep Linking request (Deep Linking 2.0 §4.5.1).
    case deepLinkingResponse = "LtiDeepLinkingResponse"
}
