import Domain
import Foundation

/// ``LTIGradeStore`` over the main database: `lti_line_items` and `lti_scores` (main 0053) beside the gradebook's
/// `assessments` and `grades`. A line item counts only while its tool's client is active.
public struct MariaLTIGradeStore: LTIGradeStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    private static var columns: SQLQuery {
        """
        SELECT i.id AS pk, i.item_id, i.class_id, a.title, a.max_score, l.link_id, i.resource_id, i.tag, i.start_at, i.end_at
        FROM lti_line_items i JOIN assessments a ON a.id = i.assessment_id JOIN oauth_clients c ON c.id = i.client_pk
        LEFT JOIN lti_resource_links l ON l.id = i.link_pk
        """
    }

    public func lineItems(tool: ClientID, classID: ClassID, filter: LTILineItemFilter, page: LTIPage) throws -> [LTILineItem] {
        try database.query(
            """
            \(fragment: Self.columns)
            WHERE c.client_id = \(tool.rawValue) AND c.status = 'active' AND i.class_id = \(classID.rawValue)
              AND (\(filter.resourceLinkID) IS NULL OR l.link_id = \(filter.resourceLinkID))
              AND (\(filter.resourceID) IS NULL OR i.resource_id = \(filter.resourceID))
              AND (\(filter.tag) IS NULL OR i.tag = \(filter.tag))
            ORDER BY i.id LIMIT \(Int64(page.limit)) OFFSET \(Int64(page.offset))
            """
        ).compactMap(\.ltiLineItem)
    }

    public func lineItem(_ itemID: String, tool: ClientID, classID: ClassID) throws -> LTILineItem? {
        try Self.lineItem(database.query, itemID, tool: tool, classID: classID)?.item
    }

    private static func lineItem(_ query: (SQLQuery) throws -> [Row], _ itemID: String, tool: ClientID, classID: ClassID, lock: Bool = false) throws
        -> (
            item: LTILineItem, pk: Int64
        )?
    {
        // Only the line item's row is locked, first (a FOR UPDATE over the join would lock the tool's client row too,
        // and so serialise every score of the tool in every class); the read after it sees the latest committed row.
        if lock, try query("SELECT id FROM lti_line_items WHERE item_id = \(itemID) FOR UPDATE").isEmpty { return nil }
        guard
            let row = try query(
                """
                \(fragment: columns)
                WHERE i.item_id = \(itemID) AND c.client_id = \(tool.rawValue) AND c.status = 'active' AND i.class_id = \(classID.rawValue)
                """
            ).first, let item = row.ltiLineItem, let pk = row.int("pk")
        else { return nil }
        return (item, Int64(pk))
    }

    public func defaultLineItem(linkID: String) throws -> String? {
        try database.query(
            """
            SELECT i.item_id FROM lti_line_items i JOIN lti_resource_links l ON l.id = i.link_pk
            WHERE l.link_id = \(linkID) ORDER BY i.id LIMIT 1
            """
        ).first?.string("item_id")
    }

    public func createLineItem(_ input: LTILineItemInput, itemID: String, tool: ClientID, classID: ClassID, now: Date) throws -> Result<
        LTILineItem, LTIServiceFailure
    > {
        try database.transaction { tx -> Result<LTILineItem, LTIServiceFailure> in
            guard
                let found = try tx.query(
                    """
                    SELECT t.client_pk, k.school_id FROM lti_tools t JOIN oauth_clients c ON c.id = t.client_pk, classes k
                    WHERE c.client_id = \(tool.rawValue) AND c.status = 'active' AND k.id = \(classID.rawValue)
                    """
                ).first, let clientPK = found.int("client_pk"), let school = found.int("school_id")
            else { return .failure(.unknownLineItem) }
            var linkPK: Int64?
            if let linkID = input.resourceLinkID {
                guard
                    let pk = try tx.query(
                        """
                        SELECT l.id FROM lti_resource_links l JOIN lti_deployments d ON d.id = l.deployment_pk
                        WHERE l.link_id = \(linkID) AND l.class_id = \(classID.rawValue) AND d.client_pk = \(Int64(clientPK))
                        """
                    ).first?.int("id")
                else { return .failure(.invalid("resourceLinkId is not a placement of this tool in this class.")) }
                linkPK = Int64(pk)
            }
            guard
                let teacher: UserID = try tx.query(
                    """
                    SELECT e.user_id FROM enrollments e JOIN users u ON u.id = e.user_id
                    WHERE e.class_id = \(classID.rawValue) AND e.role = 'teacher' AND e.active AND u.active ORDER BY e.user_id LIMIT 1
                    """
                ).first?.id("user_id")
            else { return .failure(.invalid("The class has no active teacher whose gradebook could hold the line item.")) }
            let assessment = try tx.execute(
                """
                INSERT INTO assessments (class_id, title, max_score, due_date, published, created_by, source_client_id, created_at, updated_at)
                VALUES (\(classID.rawValue), \(input.label), \(input.scoreMaximum.decimalText), \(input.dueDate?.description),
                        COALESCE((SELECT publish_app_results FROM school_gradebook_settings WHERE school_id = \(Int64(school))), FALSE),
                        \(teacher.rawValue), \(tool.rawValue), \(now), \(now))
                """
            ).insertID
            try tx.execute(
                """
                INSERT INTO lti_line_items (item_id, assessment_id, client_pk, class_id, link_pk, resource_id, tag, start_at, end_at, created_at)
                VALUES (\(itemID), \(assessment), \(Int64(clientPK)), \(classID.rawValue), \(linkPK), \(input.resourceID), \(input.tag),
                        \(input.startDateTime), \(input.endDateTime), \(now))
                """)
            return .success(
                LTILineItem(
                    itemID: itemID, classID: classID, label: input.label, scoreMaximum: input.scoreMaximum, resourceLinkID: input.resourceLinkID,
                    resourceID: input.resourceID, tag: input.tag, startDateTime: input.startDateTime, endDateTime: input.endDateTime))
        }
    }

    public func updateLineItem(_ itemID: String, _ input: LTILineItemInput, tool: ClientID, classID: ClassID, now: Date) throws -> Result<
        LTILineItem, LTIServiceFailure
    > {
        try database.transaction { tx -> Result<LTILineItem, LTIServiceFailure> in
            guard let found = try Self.lineItem(tx.query, itemID, tool: tool, classID: classID, lock: true) else {
                return .failure(.unknownLineItem)
            }
            let (held, pk) = (found.item, found.pk)
            if let link = input.resourceLinkID, link != held.resourceLinkID {
                return .failure(.invalid("resourceLinkId cannot change: create another line item for another placement."))
            }
            if let top = try tx.query(
                "SELECT MAX(g.score) AS top FROM grades g JOIN lti_line_items i ON i.assessment_id = g.assessment_id WHERE i.id = \(pk)"
            ).first?.score("top"), top > input.scoreMaximum {
                return .failure(.invalid("A grade of this line item is above the new scoreMaximum (\(top))."))
            }
            try tx.execute(
                """
                UPDATE assessments a JOIN lti_line_items i ON i.assessment_id = a.id
                SET a.title = \(input.label), a.max_score = \(input.scoreMaximum.decimalText), a.due_date = \(input.dueDate?.description),
                    a.updated_at = \(now), i.resource_id = \(input.resourceID), i.tag = \(input.tag), i.start_at = \(input.startDateTime),
                    i.end_at = \(input.endDateTime)
                WHERE i.id = \(pk)
                """)
            return .success(
                LTILineItem(
                    itemID: itemID, classID: classID, label: input.label, scoreMaximum: input.scoreMaximum, resourceLinkID: held.resourceLinkID,
                    resourceID: input.resourceID, tag: input.tag, startDateTime: input.startDateTime, endDateTime: input.endDateTime))
        }
    }

    public func deleteLineItem(_ itemID: String, tool: ClientID, classID: ClassID) throws -> Bool {
        try database.transaction { tx -> Bool in
            guard let found = try Self.lineItem(tx.query, itemID, tool: tool, classID: classID, lock: true),
                let assessment = try tx.query("SELECT assessment_id FROM lti_line_items WHERE id = \(found.pk)").first?.int("assessment_id")
            else { return false }
            try tx.execute("DELETE FROM grades WHERE assessment_id = \(Int64(assessment))")
            // lti_line_items and lti_scores go with the assessment (ON DELETE CASCADE).
            try tx.execute("DELETE FROM assessments WHERE id = \(Int64(assessment))")
            try MariaSchoolworkStore.bumpRecordVersions(tx, studentsOf: classID)
            return true
        }
    }

    public func postScore(_ score: LTIScorePost, student: UserID, itemID: String, tool: ClientID, classID: ClassID, now: Date) throws
        -> LTIScoreOutcome
    {
        try database.transaction { tx -> LTIScoreOutcome in
            guard let found = try Self.lineItem(tx.query, itemID, tool: tool, classID: classID, lock: true),
                let row = try tx.query(
                    """
                    SELECT a.id, a.created_by, k.school_id FROM lti_line_items i JOIN assessments a ON a.id = i.assessment_id
                    JOIN classes k ON k.id = i.class_id WHERE i.id = \(found.pk)
                    """
                ).first, let assessment: AssessmentID = row.id("id"), let teacher: UserID = row.id("created_by"),
                let school: SchoolID = row.id("school_id")
            else { return .notFound }
            let (item, pk) = (found.item, found.pk)
            guard
                try !tx.query(
                    """
                    SELECT 1 AS held FROM enrollments e JOIN users u ON u.id = e.user_id
                    WHERE e.class_id = \(classID.rawValue) AND e.user_id = \(student.rawValue) AND e.role = 'student' AND e.active AND u.active
                    """
                ).isEmpty
            else { return .notFound }
            let stored = try tx.query(
                "SELECT score_timestamp FROM lti_scores WHERE line_item_pk = \(pk) AND student_id = \(student.rawValue)"
            ).first?.date("score_timestamp")
            let decision = LTIScoreRules.decide(score, lineItemMaximum: item.scoreMaximum, stored: stored)
            switch decision {
            case .stale, .refused: return .declined(decision)
            case .grade(let grade, let comment):
                try MariaSchoolworkStore.saveGrades(
                    tx, [GradeEntry(studentID: student, score: grade, comment: comment)], cleared: [], assessment: assessment, in: classID,
                    by: teacher, now: now)
                try tx.execute(
                    """
                    UPDATE grades SET source_client_id = \(tool.rawValue)
                    WHERE assessment_id = \(assessment.rawValue) AND student_id = \(student.rawValue)
                    """)
            case .clear:
                try MariaSchoolworkStore.saveGrades(tx, [], cleared: [student], assessment: assessment, in: classID, by: teacher, now: now)
            case .recordOnly:
                break
            }
            try tx.execute(
                """
                INSERT INTO lti_scores (line_item_pk, student_id, score_timestamp, activity_progress, grading_progress, recorded_at)
                VALUES (\(pk), \(student.rawValue), \(score.timestamp), \(score.activityProgress.rawValue), \(score.gradingProgress.rawValue), \(now))
                ON DUPLICATE KEY UPDATE score_timestamp = VALUES(score_timestamp), activity_progress = VALUES(activity_progress),
                    grading_progress = VALUES(grading_progress), recorded_at = VALUES(recorded_at)
                """)
            return .written(decision, school)
        }
    }

    public func results(itemID: String, tool: ClientID, classID: ClassID, student: UserID?, page: LTIPage) throws -> [LTIResult]? {
        guard let found = try Self.lineItem(database.query, itemID, tool: tool, classID: classID) else { return nil }
        let (item, pk) = (found.item, found.pk)
        let studentID: Int64? = student?.rawValue
        return try database.query(
            """
            SELECT g.student_id, g.score, g.comment FROM lti_line_items i JOIN grades g ON g.assessment_id = i.assessment_id
            WHERE i.id = \(pk) AND (\(studentID) IS NULL OR g.student_id = \(studentID))
            ORDER BY g.student_id LIMIT \(Int64(page.limit)) OFFSET \(Int64(page.offset))
            """
        ).compactMap { row in
            guard let student: UserID = row.id("student_id"), let score = row.score("score") else { return nil }
            return LTIResult(student: student, score: score, maximum: item.scoreMaximum, comment: row.string("comment"))
        }
    }
}

extension Row {
    /// A line item from ``MariaLTIGradeStore``'s columns.
    fileprivate var ltiLineItem: LTILineItem? {
        guard let itemID = string("item_id"), let classID: ClassID = id("class_id"), let title = string("title"),
            let maximum = score("max_score")
        else { return nil }
        return LTILineItem(
            itemID: itemID, classID: classID, label: title, scoreMaximum: maximum, resourceLinkID: string("link_id"),
            resourceID: string("resource_id"), tag: string("tag"), startDateTime: date("start_at"), endDateTime: date("end_at"))
    }
}
