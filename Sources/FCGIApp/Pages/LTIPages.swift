import Domain

/// The LTI 1.3 parts of the class pages and the two auto-submitting forms of a launch (ARCHITECTURE "LTI 1.3").
enum LTIPages {
    /// A class's tools: a launch button per placement and, for a teacher who may teach the class, the form that places
    /// one of the tools the school allows. `headingID` keeps ids unique where a page lists several classes.
    static func classTools(
        classID: ClassID, links: [LTIResourceLink], placeable: [LTIPlaceableTool]?, csrf: String, headingLevel: Int = 2
    ) -> HTML {
        let heading = HTML(unsafeRaw: "h\(headingLevel)")
        let items = links.map { link -> HTML in
            // A teacher who may place tools here may also remove them (`placeable` is nil for everyone else).
            let remove: HTML =
                placeable == nil
                ? ""
                : """
                <form class="inline lti-remove" method="post" action="/teacher/classes/\(classID)/lti/\(link.linkID)/remove">\(Layout.csrfField(csrf))
                <button type="submit" class="link">\(L("lti.class.remove", ["title": link.title]))</button></form>
                """
            return """
                <li data-lti-link="\(link.linkID)"><form class="inline" method="post" action="/lti/launch/\(link.linkID)">\(Layout.csrfField(csrf))
                <button type="submit" class="secondary lti-launch">\(L("lti.class.open", ["title": link.title]))</button></form>
                <small class="muted">\(link.toolName)</small>\(remove)</li>
                """
        }
        let list: HTML =
            links.isEmpty
            ? "<p class=\"muted lti-none\">\(L("lti.class.none"))</p>"
            : "<ul class=\"lti-links\" id=\"lti-links-\(classID)\">\(items)</ul>"
        var place: HTML = ""
        if let placeable {
            if placeable.isEmpty {
                place = "<p class=\"muted\">\(L("lti.class.nothing_to_place"))</p>"
            } else {
                let options = placeable.map { "<option value=\"\($0.clientID.rawValue)\">\($0.name)</option>" as HTML }
                place = """
                    <form class="stack" id="place-tool" method="post" action="/teacher/classes/\(classID)/lti">\(Layout.csrfField(csrf))
                    <label>\(L("lti.class.tool"))<select name="tool" required>\(options)</select></label>
                    <label>\(L("lti.class.title"))<input name="title" maxlength="\(LTIPlacementRules.maximumTitleLength)">
                    <small class="muted">\(L("lti.class.title_hint"))</small></label>
                    <button type="submit">\(L("lti.class.place"))</button></form>
                    """
            }
            // Deep Linking 2.0: the tool's own content picker places links here.
            let pickers = placeable.filter(\.supportsDeepLinking).map { tool -> HTML in
                """
                <li><form class="inline" method="post" action="/teacher/classes/\(classID)/lti/deep-link">\(Layout.csrfField(csrf))
                <input type="hidden" name="tool" value="\(tool.clientID.rawValue)">
                <button type="submit" class="secondary lti-deep-link">\(L("lti.dl.add_from", ["tool": tool.name]))</button></form></li>
                """
            }
            if !pickers.isEmpty {
                let subheading = HTML(unsafeRaw: "h\(headingLevel + 1)")
                let section: HTML = """
                    <\(subheading) class="lti-deep-link-heading">\(L("lti.dl.heading"))</\(subheading)>
                    <p class="muted">\(L("lti.dl.intro"))</p><ul class="lti-deep-links">\(pickers)</ul>
                    """
                place = place + section
            }
        }
        return """
            <section class="lti-tools" aria-labelledby="lti-tools-\(classID)"><\(heading) id="lti-tools-\(classID)">\(L("lti.class.heading"))</\(heading)>
            \(list)\(place)</section>
            """
    }

    /// A student's tools, class by class (the record page lists the classes; the launches are here).
    static func studentTools(classes: [ClassSummary], links: [LTIResourceLink], csrf: String) -> HTML {
        let placed = classes.filter { c in links.contains { $0.classID == c.id } }
        guard !placed.isEmpty else { return "" }
        let sections = placed.map { c -> HTML in
            """
            <div class="lti-class" data-class-id="\(c.id)"><h3>\(c.title)</h3>
            \(classTools(classID: c.id, links: links.filter { $0.classID == c.id }, placeable: nil, csrf: csrf, headingLevel: 4))</div>
            """
        }
        return "<h2 id=\"class-tools\">\(L("lti.student.heading"))</h2>\(sections)"
    }

    /// A form the browser submits by itself (`/assets/lti-launch.js`), with a visible button for a browser without
    /// JavaScript: the login initiation to the tool, and the id_token (or error) posted back to it.
    static func autoSubmit(session: SignedIn?, title: String, intro: String, action: String, fields: [(name: String, value: String)]) -> HTML {
        let inputs = fields.map { "<input type=\"hidden\" name=\"\($0.name)\" value=\"\($0.value)\">" as HTML }
        return Layout.page(
            title: title, session: session, narrow: true,
            """
            <h1>\(title)</h1>
            <form id="lti-autosubmit" method="post" action="\(action)">\(inputs)
            <p>\(intro)</p>
            <button type="submit">\(L("lti.launch.continue"))</button></form>
            <script src="/assets/lti-launch.js"></script>
            """)
    }

    /// Submits the launch form once the page is loaded.
    static let script = """
        "use strict";
        (function () {
          var form = document.getElementById("lti-autosubmit");
          if (form) form.submit();
        })();
        """
}
