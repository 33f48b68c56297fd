import Crypto
import Domain
import Testing

@Suite struct SubjectIdentifierTests {
    let subjects = SubjectIdentifiers(oauthKey: Array(repeating: 7, count: 32))

    @Test func aPublicSubjectIsThePersonsIdForEveryClient() {
        #expect(subjects.subject(for: UserID(1234), client: ClientID("app-a"), type: .public) == "1234")
        #expect(subjects.subject(for: UserID(1234), client: ClientID("app-b"), type: .public) == "1234")
    }

    @Test func aPairwiseSubjectIsStableForOneAppAndUnrelatedAcrossApps() {
        let first = subjects.subject(for: UserID(1234), client: ClientID("app-a"), type: .pairwise)
        #expect(first == subjects.subject(for: UserID(1234), client: ClientID("app-a"), type: .pairwise))
        #expect(first.count == 43 && first.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(!first.contains("1234"))
        #expect(first != subjects.subject(for: UserID(1234), client: ClientID("app-b"), type: .pairwise))
        #expect(first != subjects.subject(for: UserID(1235), client: ClientID("app-a"), type: .pairwise))
        // The separator keeps (client "app-1", user 23) and (client "app-12", user 3) apart.
        #expect(
            subjects.subject(for: UserID(23), client: ClientID("app-1"), type: .pairwise)
                != subjects.subject(for: UserID(3), client: ClientID("app-12"), type: .pairwise))
    }

    @Test func anotherKeyGivesOtherPairwiseSubjects() {
        let other = SubjectIdentifiers(oauthKey: Array(repeating: 8, count: 32))
        #expect(
            subjects.subject(for: UserID(1234), client: ClientID("app-a"), type: .pairwise)
                != other.subject(for: UserID(1234), client: ClientID("app-a"), type: .pairwise))
    }

    @Test func thirdPartyClientsArePairwiseAndFirstPartyOnesPublic() {
        #expect(SubjectType.forNewClient(firstParty: false) == .pairwise)
        #expect(SubjectType.forNewClient(firstParty: true) == .public)
    }

    @Test func theIDTokenOfAPairwiseClientCarriesItsPairwiseSubject() {
        let settings = IDTokenSettings(issuer: "https://app.example", lifetime: 3600, subjects: subjects)
        let client = OAuthClient(
            clientID: ClientID("app-a"), name: "A", developerName: "D", kind: .confidential, redirectURIs: [], allowedScopes: [],
            subjectType: .pairwise)
        #expect(settings.subjects.subject(for: UserID(9), client: client.clientID, type: client.subjectType).count == 43)
    }
}
