import Domain

/// The sign-in page of QR badges (issue 16, item 3) and its script (served as /assets/badge.js: the CSP allows only
/// our own scripts). A badge's QR code is the link `<app URL>/login/badge#<secret>`; the fragment never reaches a
/// server, so the script reads it, removes it from the address bar and the history at once, and posts it as an
/// ordinary form. Any camera app that opens the link lands here.
enum BadgePages {
    /// The page: the form the script fills and sends, and what a person sees meanwhile or after a refusal.
    static func signIn(csrf: String, error: String?, title: String = "Sign in with your badge") -> HTML {
        Layout.page(
            title: title, session: nil, narrow: true,
            """
            <h1>\(title)</h1>
            \(error.map { "<p class=\"notice error\" role=\"alert\" id=\"badge-error\">\($0)</p>" as HTML } ?? "")
            <form id="badge-form" method="post" action="/login/badge">\(Layout.csrfField(csrf))
            <input type="hidden" name="secret" id="badge-secret" value="">
            <p id="badge-waiting" class="muted">\(error == nil ? "Signing you in…" : "Scan your badge again, or ask your teacher.")</p>
            </form>
            <noscript><p>Your browser must allow scripts for badge sign-in.</p></noscript>
            <p><a href="/login">Sign in with your name and password instead</a></p>
            <script src="/assets/badge.js"></script>
            """)
    }

    /// Takes the secret out of the address (so it stays in no history entry, bookmark or screenshot of the bar) and
    /// posts it. Without a fragment (a reload, a refused badge) it does nothing.
    static let script = """
        "use strict";
        (function () {
          var secret = window.location.hash.slice(1);
          if (!secret) return;
          history.replaceState(null, "", window.location.pathname);
          var form = document.getElementById("badge-form");
          document.getElementById("badge-secret").value = secret;
          form.submit();
        })();
        """
}
