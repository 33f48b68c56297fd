import Domain
import Foundation
import Testing

/// LTI Assignment and Grade Services 2.0 rules (issue 19 item 2): line item and score bodies, what a score does to
/// the gradebook (only FullyGraded grades, an older timestamp is stale), timestamps as tools write them, paging, the
/// scopes a launch's endpoint claim lists and the claim itself.
@Suite struct LTIGradeServiceTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func score(
        given: Double? = 7, maximum: Double? = 10, grading: String = "FullyGraded", at timestamp: String = "2027-01-15T08:00:00Z",
        comment: String? = nil
    ) -> Result<LTIScorePost, LTIServiceFailure> {
        LTIScorePost.validate(
            userID: "sub-1", scoreGiven: given, scoreMaximum: maximum, comment: comment, timestamp: timestamp, activityProgress: "Completed",
            gradingProgress: grading)
    }

    @Test func timestampsAreReadAsToolsWriteThemToTheMicrosecond() throws {
        let base = try #require(LTITimestamp.parse("2027-01-15T08:00:00Z"))
        #expect(base.timeIntervalSince1970 == 1_800_000_000)
        #expect(LTITimestamp.parse("2027-01-15T09:00:00+01:00") == base)
        #expect(LTITimestamp.parse("2027-01-15T08:00:00+0000") == base, "pylti1p3's examples write +0000")
        #expect(LTITimestamp.parse("2027-01-15T03:30:00-04:30") == base)
        let micro = try #require(LTITimestamp.parse("2027-01-15T08:00:00.000001+00:00"))
        #expect(micro > base && micro.timeIntervalSince(base) < 0.000_01)
        #expect(LTITimestamp.parse("2027-01-15T08:00:00.5Z")?.timeIntervalSince(base) == 0.5)
        #expect(LTITimestamp.text(base) == "2027-01-15T08:00:00Z")
        #expect(Int(try #require(LTITimestamp.parse("1970-01-01T00:00:00Z")).timeIntervalSince1970) == 0)
        #expect(Int(try #require(LTITimestamp.parse("2000-03-01T00:00:00Z")).timeIntervalSince1970) == 951_868_800)
        for bad in [
            "2027-01-15", "2027-01-15T08:00:00", "2027-02-30T08:00:00Z", "2027-01-15T24:00:00Z", "2027-01-15 08:00:00Z", "2027-01-15T08:00:00+1",
            "2027-01-15T08:00:00.Z", "2027-01-15T08:00:00Zjunk", "yesterday",
        ] {
            #expect(LTITimestamp.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func aScoreBodyNeedsItsRequiredFieldsAndVocabularies() throws {
        let good = try Self.score().get()
        #expect(good.userID == "sub-1" && good.given?.score == 7 && good.gradingProgress == .fullyGraded && good.activityProgress == .completed)
        let cases: [(String, Result<LTIScorePost, LTIServiceFailure>)] = [
            (
                "no user",
                LTIScorePost.validate(
                    userID: nil, scoreGiven: 1, scoreMaximum: 2, comment: nil, timestamp: "2027-01-15T08:00:00Z", activityProgress: "Completed",
                    gradingProgress: "FullyGraded")
            ),
            ("no timestamp", Self.score(at: "")),
            ("an unknown grading progress", Self.score(grading: "Done")),
            ("a negative score", Self.score(given: -1)),
            ("a score without a maximum", Self.score(maximum: nil)),
            ("a zero maximum", Self.score(maximum: 0)),
            ("a long comment", Self.score(comment: String(repeating: "x", count: 501))),
        ]
        for (name, result) in cases {
            guard case .failure(let failure) = result else {
                Issue.record("\(name) was accepted")
                continue
            }
            #expect(failure.status == 400 && failure.error == "invalid_request", "\(name)")
        }
        #expect((try? Self.score(given: nil, maximum: nil, grading: "Pending").get()) != nil, "progress alone is a score")
    }

    @Test func onlyAFullyGradedScoreBecomesAGradeScaledToTheLineItem() throws {
        let maximum = Score(hundredths: 2000)
        #expect(LTIScoreRules.decide(try Self.score().get(), lineItemMaximum: maximum, stored: nil) == .grade(Score(hundredths: 1400), comment: nil))
        #expect(
            LTIScoreRules.decide(try Self.score(given: 1, maximum: 3, comment: "ok").get(), lineItemMaximum: Score(hundredths: 1000), stored: nil)
                == .grade(Score(hundredths: 333), comment: "ok"))
        for progress in ["Pending", "PendingManual", "Failed", "NotReady"] {
            #expect(
                LTIScoreRules.decide(try Self.score(grading: progress).get(), lineItemMaximum: maximum, stored: nil) == .recordOnly, "\(progress)")
        }
        #expect(LTIScoreRules.decide(try Self.score(given: nil, maximum: nil).get(), lineItemMaximum: maximum, stored: nil) == .clear)
        guard case .refused = LTIScoreRules.decide(try Self.score(given: 11).get(), lineItemMaximum: maximum, stored: nil) else {
            Issue.record("extra credit was accepted")
            return
        }
    }

    @Test func anOlderTimestampThanTheOneOnRecordIsStaleAndAnEqualOneIsARetry() throws {
        let post = try Self.score().get()
        let maximum = Score(hundredths: 1000)
        #expect(LTIScoreRules.decide(post, lineItemMaximum: maximum, stored: post.timestamp.addingTimeInterval(0.001)) == .stale)
        #expect(LTIScoreRules.decide(post, lineItemMaximum: maximum, stored: post.timestamp) == .grade(Score(hundredths: 700), comment: nil))
        #expect(
            LTIScoreRules.decide(post, lineItemMaximum: maximum, stored: post.timestamp.addingTimeInterval(-60))
                == .grade(Score(hundredths: 700), comment: nil))
    }

    @Test func aLineItemBodyIsCheckedAndItsEndGivesTheDueDay() throws {
        let item = try LTILineItemInput.validate(
            label: " Quiz 1 ", scoreMaximum: 20, resourceLinkID: "rl_x", resourceID: "quiz-1", tag: "grade", startDateTime: "2027-01-10T08:00:00Z",
            endDateTime: "2027-01-15T23:30:00-05:00"
        ).get()
        #expect(item.label == "Quiz 1" && item.scoreMaximum == Score(hundredths: 2000) && item.tag == "grade")
        #expect(item.dueDate == CalendarDate("2027-01-16"), "the end's day in UTC")
        let refused: [Result<LTILineItemInput, LTIServiceFailure>] = [
            LTILineItemInput.validate(
                label: "", scoreMaximum: 10, resourceLinkID: nil, resourceID: nil, tag: nil, startDateTime: nil, endDateTime: nil),
            LTILineItemInput.validate(
                label: "Q", scoreMaximum: 0, resourceLinkID: nil, resourceID: nil, tag: nil, startDateTime: nil, endDateTime: nil),
            LTILineItemInput.validate(
                label: "Q", scoreMaximum: 1.005, resourceLinkID: nil, resourceID: nil, tag: nil, startDateTime: nil, endDateTime: nil),
            LTILineItemInput.validate(
                label: "Q", scoreMaximum: nil, resourceLinkID: nil, resourceID: nil, tag: nil, startDateTime: nil, endDateTime: nil),
            LTILineItemInput.validate(
                label: "Q", scoreMaximum: 10, resourceLinkID: nil, resourceID: "", tag: nil, startDateTime: nil, endDateTime: nil),
            LTILineItemInput.validate(
                label: "Q", scoreMaximum: 10, resourceLinkID: nil, resourceID: nil, tag: nil, startDateTime: "soon", endDateTime: nil),
            LTILineItemInput.validate(
                label: "Q", scoreMaximum: 10, resourceLinkID: nil, resourceID: nil, tag: nil, startDateTime: "2027-01-15T00:00:00Z",
                endDateTime: "2027-01-14T00:00:00Z"),
        ]
        for result in refused {
            #expect((try? result.get()) == nil)
        }
    }

    @Test func pagesAreNamedByLimitAndPageNumber() {
        #expect(LTIPage.from(limit: nil, page: nil) == LTIPage(offset: 0, limit: 100))
        #expect(LTIPage.from(limit: "2", page: "3") == LTIPage(offset: 4, limit: 2))
        #expect(LTIPage.from(limit: "500", page: nil) == LTIPage(offset: 0, limit: 100), "lowered to the largest")
        #expect(
            LTIPage.from(limit: "0", page: nil) == nil && LTIPage.from(limit: "x", page: nil) == nil && LTIPage.from(limit: nil, page: "-1") == nil)
        #expect(LTIPage(offset: 4, limit: 2).nextPageNumber == 4)
    }

    @Test func theClaimListsTheAGSScopesTheToolHoldsAndTheSchoolLends() throws {
        let granted = ["openid", LTIScopes.score, LTIScopes.lineItem, LTIScopes.contextMembershipRead]
        #expect(LTIGradeRules.claimScopes(granted: granted, policy: nil) == [LTIScopes.lineItem, LTIScopes.score])
        #expect(
            LTIGradeRules.claimScopes(granted: granted, policy: SchoolAppPolicy(status: .allowed, scopeLimit: [LTIScopes.score])) == [LTIScopes.score]
        )
        #expect(LTIGradeRules.claimScopes(granted: granted, policy: SchoolAppPolicy(status: .blocked, scopeLimit: nil)).isEmpty)
        #expect(LTIGradeRules.claimScopes(granted: ["openid"], policy: nil).isEmpty)

        var claims = LTILaunchClaims(
            issuer: "https://app.example", audience: ClientID("cw_app_tool"), subject: "42", nonce: "n", issuedAt: Self.now,
            messageType: .resourceLink, deploymentID: "dep-1", targetLinkURI: "https://tool.example/launch", role: .student,
            context: (id: "9", label: "M", title: "Maths"))
        let items = LTIGradeRules.lineItemsURL(base: "https://app.example", classID: ClassID(9))
        #expect(items == "https://app.example/api/lti/contexts/9/lineitems")
        claims.gradeService = (scopes: [LTIScopes.lineItem, LTIScopes.score], lineItemsURL: items)
        claims.defaultLineItemURL = LTIGradeRules.lineItemURL(base: "https://app.example", classID: ClassID(9), itemID: "li_1")
        let payload = try CompactJWS(try claims.signed(with: try SigningKey.generate(.es256))).payload
        let endpoint = try #require(payload[member: LTIClaims.gradeServiceEndpoint])
        #expect(endpoint[member: "lineitems"]?.stringValue == items)
        #expect(endpoint[member: "lineitem"]?.stringValue == items + "/li_1")
        #expect(endpoint[member: "scope"]?.arrayValue?.compactMap(\.stringValue) == [LTIScopes.lineItem, LTIScopes.score])
    }

    @Test func aLineItemAndAResultAreWrittenAsAGSNamesThem() {
        let item = LTILineItem(
            itemID: "li_1", classID: ClassID(9), label: "Quiz", scoreMaximum: Score(hundredths: 2050), resourceLinkID: "rl_1", tag: "grade",
            endDateTime: LTITimestamp.parse("2027-01-15T08:00:00Z"))
        #expect(
            item.json(url: "https://a/li_1").text
                == #"{"id":"https://a/li_1","label":"Quiz","scoreMaximum":20.5,"resourceLinkId":"rl_1","tag":"grade","endDateTime":"2027-01-15T08:00:00Z"}"#
        )
        let result = LTIResult(student: UserID(3), score: Score(hundredths: 1400), maximum: Score(hundredths: 2000), comment: nil)
        #expect(
            result.json(lineItemURL: "https://a/li_1", userID: "s+1").text
                == #"{"id":"https://a/li_1/results?user_id=s%2B1","scoreOf":"https://a/li_1","userId":"s+1","resultScore":14.0,"resultMaximum":20.0}"#
        )
    }
}
