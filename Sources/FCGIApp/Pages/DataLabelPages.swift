import Domain

/// The "data label" (``DataLabel``): what an app gets, why, how long it keeps it and who else receives it, in
/// plain words, on the consent page and the school's app page.
enum DataLabelPages {
    /// The label as a definition list per scope; `id` names the element for the page's tests.
    static func label(_ label: DataLabel, id: String) -> HTML {
        let entries = label.entries.map { entry -> HTML in
            guard let why = entry.why, let howLong = entry.howLong, let whoElse = entry.whoElse else {
                return """
                    <li data-scope="\(entry.scope)"><b>\(entry.what)</b><br><small class="muted data-undeclared">\(L("datalabel.undeclared"))</small></li>
                    """
            }
            return """
                <li data-scope="\(entry.scope)"><b>\(entry.what)</b>
                <dl class="data-label"><dt>\(L("datalabel.why"))</dt><dd class="data-why">\(why)</dd><dt>\(L("datalabel.how_long"))</dt><dd class="data-how-long">\(howLong)</dd>
                <dt>\(L("datalabel.who_else"))</dt><dd class="data-who-else">\(whoElse)</dd></dl></li>
                """
        }
        return "<ul class=\"data-label\" id=\"\(id)\">\(entries)</ul>"
    }
}
