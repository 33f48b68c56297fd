import Domain
import Foundation

/// ``LTIStore`` over the main database: `lti_deployments`, `lti_resource_links` and `lti_launches` (main 0052),
/// `lti_deep_linking_requests` (main 0054), read with `lti_tools` (main 0051). A tool counts only while its client is
/// active.
public struct MariaLTIStore: LTIStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func placeableTools(school: SchoolID) throws -> [LTIPlaceableTool] {
        try database.query(
            """
            SELECT c.client_id, c.name, t.deep_linking_url IS NOT NULL AS deep_linking FROM lti_tools t JOIN oauth_clients c ON c.id = t.client_pk
            LEFT JOIN school_app_policies p ON p.client_pk = c.id AND p.school_id = \(school.rawValue)
            WHERE c.status = 'active' AND (p.status IS NULL OR p.status = 'allowed')
            ORDER BY c.name, c.client_id
            """
        ).compactMap { row in
            guard let id = row.string("client_id"), let name = row.string("name") else { return nil }
            return LTIPlaceableTool(clientID: ClientID(id), name: name, supportsDeepLinking: row.flag("deep_linking"))
        }
    }

    public func place(
        tool: ClientID, in classID: ClassID, school: SchoolID, title: String, linkID: String, deploymentID: String, by user: UserID, now: Date
    ) throws -> LTIResourceLink? {
        try database.transaction { tx in
            guard
                let toolRow = try tx.query(
                    """
                    SELECT c.id, c.name FROM lti_tools t JOIN oauth_clients c ON c.id = t.client_pk
                    WHERE c.client_id = \(tool.rawValue) AND c.status = 'active' FOR UPDATE
                    """
                ).first, let clientPK = toolRow.int("id"), let name = toolRow.string("name"),
                try tx.query("SELECT id FROM classes WHERE id = \(classID.rawValue) AND school_id = \(school.rawValue)").first != nil
            else { return nil }
            try tx.execute(
                """
                INSERT INTO lti_deployments (client_pk, school_id, deployment_id, created_at)
                VALUES (\(Int64(clientPK)), \(school.rawValue), \(deploymentID), \(now))
                ON DUPLICATE KEY UPDATE id = id
                """)
            guard
                let deploymentPK = try tx.query(
                    "SELECT id FROM lti_deployments WHERE client_pk = \(Int64(clientPK)) AND school_id = \(school.rawValue)"
                ).first?.int("id")
            else { throw StoreError(.constraint, detail: "place: no deployment after insert") }
            try tx.execute(
                """
                INSERT INTO lti_resource_links (link_id, deployment_pk, class_id, title, created_by, created_at)
                VALUES (\(linkID), \(Int64(deploymentPK)), \(classID.rawValue), \(title), \(user.rawValue), \(now))
                """)
            return LTIResourceLink(linkID: linkID, classID: classID, clientID: tool, toolName: name, title: title)
        }
    }

    public func removeLink(_ linkID: String, in classID: ClassID) throws -> Bool {
        try database.execute("DELETE FROM lti_resource_links WHERE link_id = \(linkID) AND class_id = \(classID.rawValue)").affectedRows == 1
    }

    public func links(in classes: [ClassID]) throws -> [LTIResourceLink] {
        guard !classes.isEmpty else { return [] }
        return try database.query(
            """
            SELECT l.link_id, l.class_id, l.title, l.target_link_uri AS link_uri, l.custom, c.client_id, c.name FROM lti_resource_links l
            JOIN lti_deployments d ON d.id = l.deployment_pk JOIN oauth_clients c ON c.id = d.client_pk
            WHERE l.class_id IN (\(list: classes.map(\.rawValue))) AND c.status = 'active'
            ORDER BY l.class_id, l.title, l.id
            """
        ).compactMap(\.ltiResourceLink)
    }

    public func launchTarget(linkID: String) throws -> LTILaunchTarget? {
        guard
            let row = try database.query(
                """
                SELECT l.link_id, l.class_id, l.title, l.target_link_uri AS link_uri, l.custom, c.client_id, c.name, d.deployment_id,
                  d.client_pk, k.school_id, k.class_code, k.title AS class_title, t.login_initiation_url, t.target_link_uri, t.deep_linking_url
                FROM lti_resource_links l JOIN lti_deployments d ON d.id = l.deployment_pk
                JOIN oauth_clients c ON c.id = d.client_pk JOIN lti_tools t ON t.client_pk = d.client_pk
                JOIN classes k ON k.id = l.class_id
                WHERE l.link_id = \(linkID) AND c.status = 'active'
                """
            ).first, let link = row.ltiResourceLink, let school = row.int("school_id"), let clientPK = row.int("client_pk"),
            let deploymentID = row.string("deployment_id"), let classTitle = row.string("class_title")
        else { return nil }
        let uris = try database.query("SELECT uri FROM lti_tool_redirect_uris WHERE client_pk = \(Int64(clientPK)) ORDER BY position")
            .compactMap { $0.string("uri") }
        return LTILaunchTarget(
            link: link, schoolID: SchoolID(Int64(school)), classCode: row.string("class_code"), classTitle: classTitle,
            deploymentID: deploymentID,
            settings: LTIToolSettings(
                loginInitiationURL: row.string("login_initiation_url") ?? "", targetLinkURI: row.string("target_link_uri") ?? "",
                redirectURIs: uris, deepLinkingURL: row.string("deep_linking_url") ?? ""))
    }

    public func enrolment(of user: UserID, in classID: ClassID) throws -> Role? {
        try database.query(
            """
            SELECT e.role FROM enrollments e JOIN classes c ON c.id = e.class_id JOIN users u ON u.id = e.user_id
            WHERE e.class_id = \(classID.rawValue) AND e.user_id = \(user.rawValue) AND e.active AND c.active AND u.active
            """
        ).first?.string("role").flatMap(Role.init(rawValue:))
    }

    public func createLaunch(digest: [UInt8], _ launch: LTIPendingLaunch) throws {
        let inserted = try database.execute(
            """
            INSERT INTO lti_launches (hint_digest, link_pk, user_id, login_hint, expires_at)
            SELECT \(digest), id, \(launch.user.rawValue), \(launch.loginHint), \(launch.expiresAt) FROM lti_resource_links
            WHERE link_id = \(launch.resourceLink)
            """)
        guard inserted.affectedRows == 1 else { throw StoreError(.constraint, detail: "createLaunch: no link \(launch.resourceLink)") }
    }

    public func launch(digest: [UInt8]) throws -> LTIPendingLaunch? {
        guard
            let row = try database.query(
                """
                SELECT c.client_id, l.link_id, x.user_id, x.login_hint, x.expires_at, x.used_at IS NOT NULL AS used
                FROM lti_launches x JOIN lti_resource_links l ON l.id = x.link_pk JOIN lti_deployments d ON d.id = l.deployment_pk
                JOIN oauth_clients c ON c.id = d.client_pk
                WHERE x.hint_digest = \(digest)
                """
            ).first, let client = row.string("client_id"), let link = row.string("link_id"), let user = row.int("user_id"),
            let hint = row.string("login_hint"), let expires = row.date("expires_at")
        else { return nil }
        return LTIPendingLaunch(
            clientID: ClientID(client), resourceLink: link, user: UserID(Int64(user)), loginHint: hint, expiresAt: expires,
            used: row.flag("used"))
    }

    public func spendLaunch(digest: [UInt8], now: Date) throws -> Bool {
        try database.execute(
            "UPDATE lti_launches SET used_at = \(now) WHERE hint_digest = \(digest) AND used_at IS NULL AND expires_at > \(now)"
        ).affectedRows == 1
    }

    public func redirectURIs(of client: ClientID) throws -> [String]? {
        guard
            let pk = try database.query(
                """
                SELECT t.client_pk FROM lti_tools t JOIN oauth_clients c ON c.id = t.client_pk
                WHERE c.client_id = \(client.rawValue) AND c.status = 'active'
                """
            ).first?.int("client_pk")
        else { return nil }
        return try database.query("SELECT uri FROM lti_tool_redirect_uris WHERE client_pk = \(Int64(pk)) ORDER BY position")
            .compactMap { $0.string("uri") }
    }

    public func placedContext(tool: ClientID, classID: ClassID) throws -> LTIContext? {
        guard
            let row = try database.query(
                """
                SELECT k.id, k.school_id, k.class_code, k.title FROM classes k
                WHERE k.id = \(classID.rawValue) AND EXISTS (
                  SELECT 1 FROM lti_resource_links l JOIN lti_deployments d ON d.id = l.deployment_pk JOIN oauth_clients c ON c.id = d.client_pk
                  WHERE l.class_id = k.id AND c.client_id = \(tool.rawValue) AND c.status = 'active')
                """
            ).first, let school = row.int("school_id"), let title = row.string("title")
        else { return nil }
        return LTIContext(classID: classID, schoolID: SchoolID(Int64(school)), classCode: row.string("class_code"), title: title)
    }

    public func members(of classID: ClassID) throws -> [LTIMember] {
        try database.query(
            """
            SELECT u.id, e.role, u.given_name, u.family_name FROM enrollments e JOIN users u ON u.id = e.user_id
            WHERE e.class_id = \(classID.rawValue) AND e.active AND u.active
            ORDER BY e.role = 'student', u.family_name, u.given_name, u.id
            """
        ).compactMap { row in
            guard let id = row.int("id"), let role = row.string("role").flatMap(Role.init(rawValue:)), let given = row.string("given_name"),
                let family = row.string("family_name")
            else { return nil }
            return LTIMember(user: UserID(Int64(id)), role: role, givenName: given, familyName: family)
        }
    }

    public func startDeepLinking(
        tool: ClientID, in classID: ClassID, school: SchoolID, teacher: UserID, loginHint: String, hintDigest: [UInt8], dataDigest: [UInt8],
        deploymentID: String, expiresAt: Date, now: Date
    ) throws -> LTIDeepLinkingRequest? {
        let created = try database.transaction { tx -> Bool in
            guard
                let clientPK = try tx.query(
                    """
                    SELECT c.id FROM lti_tools t JOIN oauth_clients c ON c.id = t.client_pk
                    WHERE c.client_id = \(tool.rawValue) AND c.status = 'active' AND t.deep_linking_url IS NOT NULL FOR UPDATE
                    """
                ).first?.int("id"),
                try tx.query("SELECT id FROM classes WHERE id = \(classID.rawValue) AND school_id = \(school.rawValue)").first != nil
            else { return false }
            try tx.execute(
                """
                INSERT INTO lti_deployments (client_pk, school_id, deployment_id, created_at)
                VALUES (\(Int64(clientPK)), \(school.rawValue), \(deploymentID), \(now))
                ON DUPLICATE KEY UPDATE id = id
                """)
            let inserted = try tx.execute(
                """
                INSERT INTO lti_deep_linking_requests (hint_digest, data_digest, deployment_pk, class_id, user_id, login_hint, expires_at)
                SELECT \(hintDigest), \(dataDigest), id, \(classID.rawValue), \(teacher.rawValue), \(loginHint), \(expiresAt)
                FROM lti_deployments WHERE client_pk = \(Int64(clientPK)) AND school_id = \(school.rawValue)
                """)
            guard inserted.affectedRows == 1 else { throw StoreError(.constraint, detail: "startDeepLinking: no deployment after insert") }
            return true
        }
        return created ? try deepLinkingRequest(hintDigest: hintDigest) : nil
    }

    /// The columns ``Row/ltiDeepLinkingRequest`` reads, for one request chosen by `condition`.
    private func deepLinkingRequest(where condition: SQLQuery) throws -> LTIDeepLinkingRequest? {
        try database.query(
            """
            SELECT c.client_id, c.name, r.class_id, k.school_id, k.class_code, k.title AS class_title, r.user_id, r.login_hint,
              d.deployment_id, t.deep_linking_url, t.login_initiation_url, r.expires_at, r.hint_used_at IS NOT NULL AS hint_used, r.returned_at IS NOT NULL AS returned
            FROM lti_deep_linking_requests r JOIN lti_deployments d ON d.id = r.deployment_pk JOIN oauth_clients c ON c.id = d.client_pk
            JOIN lti_tools t ON t.client_pk = d.client_pk JOIN classes k ON k.id = r.class_id
            WHERE \(fragment: condition) AND c.status = 'active' AND t.deep_linking_url IS NOT NULL
            """
        ).first?.ltiDeepLinkingRequest
    }

    public func deepLinkingRequest(hintDigest digest: [UInt8]) throws -> LTIDeepLinkingRequest? {
        try deepLinkingRequest(where: "r.hint_digest = \(digest)")
    }

    public func deepLinkingRequest(dataDigest digest: [UInt8]) throws -> LTIDeepLinkingRequest? {
        try deepLinkingRequest(where: "r.data_digest = \(digest)")
    }

    public func spendDeepLinkingHint(digest: [UInt8], now: Date) throws -> Bool {
        try database.execute(
            """
            UPDATE lti_deep_linking_requests SET hint_used_at = \(now)
            WHERE hint_digest = \(digest) AND hint_used_at IS NULL AND expires_at > \(now)
            """
        ).affectedRows == 1
    }

    public func completeDeepLinking(dataDigest: [UInt8], links: [LTIResourceLink], now: Date) throws -> [LTIResourceLink]? {
        try database.transaction { tx in
            let accepted = try tx.execute(
                """
                UPDATE lti_deep_linking_requests SET returned_at = \(now)
                WHERE data_digest = \(dataDigest) AND returned_at IS NULL AND hint_used_at IS NOT NULL AND expires_at > \(now)
                """)
            guard accepted.affectedRows == 1,
                let row = try tx.query(
                    "SELECT deployment_pk, class_id, user_id FROM lti_deep_linking_requests WHERE data_digest = \(dataDigest)"
                ).first, let deploymentPK = row.int("deployment_pk"), let classID = row.int("class_id"), let user = row.int("user_id")
            else { return nil }
            var placed: [LTIResourceLink] = []
            for link in links {
                try tx.execute(
                    """
                    INSERT INTO lti_resource_links (link_id, deployment_pk, class_id, title, target_link_uri, custom, created_by, created_at)
                    VALUES (\(link.linkID), \(Int64(deploymentPK)), \(Int64(classID)), \(link.title), \(link.targetLinkURI), \(link.customColumn),
                      \(Int64(user)), \(now))
                    """)
                var stored = link
                stored.classID = ClassID(Int64(classID))
                placed.append(stored)
            }
            return placed
        }
    }
}

extension Row {
    /// A placement from `link_id`, `class_id`, `title`, `link_uri`, `custom`, `client_id` and `name`.
    fileprivate var ltiResourceLink: LTIResourceLink? {
        guard let linkID = string("link_id"), let classID = int("class_id"), let title = string("title"), let client = string("client_id"),
            let name = string("name")
        else { return nil }
        return LTIResourceLink(
            linkID: linkID, classID: ClassID(Int64(classID)), clientID: ClientID(client), toolName: name, title: title,
            targetLinkURI: string("link_uri"), custom: LTIResourceLink.custom(column: string("custom")))
    }

    /// A Deep Linking request from the columns of ``MariaLTIStore/deepLinkingSelect``.
    fileprivate var ltiDeepLinkingRequest: LTIDeepLinkingRequest? {
        guard let client = string("client_id"), let name = string("name"), let classID = int("class_id"), let school = int("school_id"),
            let classTitle = string("class_title"), let user = int("user_id"), let hint = string("login_hint"),
            let deployment = string("deployment_id"), let url = string("deep_linking_url"), let login = string("login_initiation_url"),
            let expires = date("expires_at")
        else { return nil }
        return LTIDeepLinkingRequest(
            clientID: ClientID(client), toolName: name, classID: ClassID(Int64(classID)), schoolID: SchoolID(Int64(school)),
            classCode: string("class_code"), classTitle: classTitle, teacher: UserID(Int64(user)), loginHint: hint, deploymentID: deployment,
            deepLinkingURL: url, loginInitiationURL: login, expiresAt: expires, hintUsed: flag("hint_used"), returned: flag("returned"))
    }
}
