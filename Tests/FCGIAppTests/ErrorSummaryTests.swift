import Testing

@testable import FCGIApp

@Suite struct ErrorSummaryTests {
    static let form: HTML = """
        <form><label for="title">Title</label><input id="title" name="title" aria-invalid="true" aria-describedby="title-hint title-error">
        <span class="field-error" id="title-error">Give the assessment a title.</span>
        <fieldset id="kind" aria-invalid="true" aria-describedby="kind-error"><legend>Kind</legend></fieldset>
        <span class="field-error" id="kind-error">Choose &lt;one&gt; kind.</span>
        <input name="score" aria-invalid="true" aria-describedby="score-error"><span class="field-error" id="score-error">A whole number.</span></form>
        """

    @Test func eachErrorLinksToTheFieldThatNamesItInPageOrder() {
        #expect(
            ErrorSummary.entries(in: Self.form.rendered).entries == [
                .init(messageID: "title-error", message: "Give the assessment a title.", fieldID: "title"),
                .init(messageID: "kind-error", message: "Choose &lt;one&gt; kind.", fieldID: "kind"),
                // A field without an id is given one.
                .init(messageID: "score-error", message: "A whole number.", fieldID: "score-error-field"),
            ])
        let rendered = ErrorSummary.render(Self.form)
        let summary = rendered?.summary.rendered ?? ""
        #expect(rendered?.content.rendered.contains("<input id=\"score-error-field\" name=\"score\" aria-invalid=\"true\"") == true)
        #expect(rendered?.content.rendered.contains("<input id=\"title\" name=\"title\"") == true)
        #expect(summary.contains("<li><a href=\"#title\">Give the assessment a title.</a></li>"))
        #expect(summary.contains("<li><a href=\"#kind\">Choose &lt;one&gt; kind.</a></li>"))
        #expect(summary.contains("<li><a href=\"#score-error-field\">A whole number.</a></li>"))
        #expect(summary.contains("id=\"error-summary\" role=\"alert\" tabindex=\"-1\" autofocus"))
    }

    @Test func aPageWithoutFieldErrorsHasNoSummaryAndAProblemNoticeBecomesItsHeading() {
        #expect(ErrorSummary.render("<p>All fine</p>") == nil)
        let page = Layout.document(
            title: "T", header: "", footer: "", notice: .init(kind: .bad, text: "Nothing was saved <yet>."), narrow: false, Self.form
        ).rendered
        #expect(page.contains("<p class=\"error-summary-title\">Nothing was saved &lt;yet&gt;.</p>"))
        #expect(page.components(separatedBy: "id=\"error-summary\"").count == 2)
        let plain = Layout.document(title: "T", header: "", footer: "", notice: .init(kind: .bad, text: "Wrong."), narrow: false, "<p>x</p>")
        #expect(plain.rendered.contains("<p class=\"notice bad\" id=\"error-summary\" role=\"status\" tabindex=\"-1\" autofocus>Wrong.</p>"))
    }
}
