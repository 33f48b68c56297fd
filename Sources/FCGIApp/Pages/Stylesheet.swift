/// The one stylesheet of both sites, served from `/assets/catalyst.css` (the CSP forbids inline styles).
enum Stylesheet {
    static let css = """
        :root{--ink:#1d2330;--muted:#5b6474;--line:#d9dee7;--accent:#2554c7;--bg:#f7f8fb}
        *{box-sizing:border-box}
        body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:var(--ink);background:var(--bg)}
        main{max-width:60rem;margin:2rem auto;padding:0 1rem}
        main.narrow{max-width:40rem;margin-top:4rem}
        h1{font-size:1.5rem;margin:.5rem 0 1rem}
        a{color:var(--accent)}
        small,.muted{color:var(--muted)}
        table{border-collapse:collapse;width:100%;background:#fff}
        th,td{border-bottom:1px solid var(--line);padding:.5rem;text-align:left}
        input,select,textarea,button{font:inherit;padding:.45rem .6rem;border:1px solid var(--line);border-radius:6px}
        button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
        .error{color:#b3261e}
        """
}
