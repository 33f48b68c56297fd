import Domain
import Foundation

extension PortalDocsPages {
    /// LTI 1.3 tools: registration, launches, Deep Linking, and the NRPS (paging, filters) and AGS services (``LTIGradeRules``, ``LTIScoreRules``).
    static func lti(_ configuration: Configuration) -> HTML {
        let site = configuration.appURL.hasSuffix("/") ? String(configuration.appURL.dropLast()) : configuration.appURL
        let lineItems = LTIGradeRules.lineItemsURL(base: site, classID: ClassID(12))
        let item = lineItems + "/li_..."
        return """
            <p>\(LH("portal.docs.lti.intro", ["login": code("initiate_login_uri"), "target": code("target_link_uri"), "pkjwt": code("private_key_jwt")]))</p>
            <p>\(LH("portal.docs.lti.launch", ["context": code("context"), "link": code("resource_link"), "sub": code("sub"), "jwks": code(site + DiscoveryDocument.Path.jwks)]))</p>
            <p>\(LH("portal.docs.lti.token", ["token": code(site + DiscoveryDocument.Path.token), "grant": code("client_credentials"), "assertion": code("client_assertion"), "status": code("404")]))</p>
            <p>\(LH("portal.docs.lti.nrps", ["scope": code(LTIScopes.contextMembershipRead), "claim": code("namesroleservice")]))
            \(LH("portal.docs.lti.nrps_paging", ["limit": code("limit"), "maximum": code(String(LTIMembershipQuery.maximumLimit)), "link": code("Link: <...>; rel=\"next\""), "role": code("role"), "uri": code(LTIRoleFilter.membershipPrefix + "#Learner"), "short": code("Learner"), "rlid": code("rlid"), "bad": code("400")]))</p>
            <pre dir="ltr"><code>GET \(LTIMembershipRules.url(base: site, classID: ClassID(12)))?role=Learner&amp;limit=50 HTTP/1.1
            Authorization: Bearer cw_at_...
            Accept: \(LTIMembershipRules.mediaType)

            HTTP/1.1 200 OK
            Link: &lt;\(LTIMembershipRules.url(base: site, classID: ClassID(12)))?role=Learner&amp;limit=50&amp;page=2&gt;; rel="next"</code></pre>
            <p>\(LH("portal.docs.lti.deep_linking", ["request": code("LtiDeepLinkingRequest"), "response": code("LtiDeepLinkingResponse"), "jwt": code("JWT"), "return": code("deep_link_return_url"), "type": code("ltiResourceLink"), "data": code("data"), "custom": code("custom")]))</p>
            <p>\(LH("portal.docs.lti.ags", ["claim": code(LTIClaims.gradeServiceEndpoint), "lineitems": code("lineitems"), "lineitem": code("lineitem")]))</p>
            <p>\(LH("portal.docs.lti.scores", ["scores": code(".../scores"), "media": code(LTIGradeRules.scoreType), "fully": code("FullyGraded"), "conflict": code("409"), "bad": code("400")]))
            \(LH("portal.docs.lti.results", ["results": code(".../results"), "scope": code(LTIScopes.resultRead)]))</p>
            <pre dir="ltr"><code>POST \(item)/scores HTTP/1.1
            Authorization: Bearer cw_at_...
            Content-Type: \(LTIGradeRules.scoreType)

            {"userId":"...","scoreGiven":8,"scoreMaximum":10,"activityProgress":"Completed",
             "gradingProgress":"FullyGraded","timestamp":"2027-01-15T08:00:00.000Z"}

            HTTP/1.1 204 No Content</code></pre>
            """
    }
}
