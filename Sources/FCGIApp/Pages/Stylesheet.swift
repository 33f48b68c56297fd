/// The one stylesheet of both sites, served from `/assets/catalyst.css` (the CSP forbids inline styles).
///
/// Written with logical properties (`margin-inline-end`, `text-align:start`, `inset-inline-start`) and no
/// left/right, so a right-to-left page (`<html dir="rtl">`, Arabic) is the mirror image of a left-to-right one.
enum Stylesheet {
    static let css = """
        :root{--focus:#b8460b;--field:#6b7484;--ink:#1d2330;--muted:#5b6474;--line:#d9dee7;--accent:#2554c7;--bg:#f7f8fb;--ok:#1e7b45;--bad:#b3261e;--warn:#8a5a00}
        *{box-sizing:border-box}
        body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:var(--ink);background:var(--bg)}
        header.top{background:#fff;border-bottom:1px solid var(--line)}
        header.top .bar{max-width:60rem;margin:0 auto;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center}
        header.top .brand{font-weight:600;color:var(--ink);text-decoration:none;margin-inline-end:auto}
        header.top nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem}
        header.top form{margin:0}
        header.top .who{color:var(--muted);font-size:.9rem}
        main{max-width:60rem;margin:1.5rem auto;padding:0 1rem}
        main.narrow{max-width:28rem;margin-top:3rem}
        h1{font-size:1.5rem;margin:.5rem 0 1rem}
        h2{font-size:1.15rem;margin:1.75rem 0 .5rem}
        a{color:var(--accent)}
        small,.muted{color:var(--muted)}
        .table-wrap{overflow-x:auto}
        table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line);border-radius:6px}
        th,td{border-bottom:1px solid var(--line);padding:.45rem .6rem;text-align:start;vertical-align:top}
        th{font-size:.85rem;color:var(--muted);font-weight:600}
        td.num,th.num{text-align:end;font-variant-numeric:tabular-nums}
        form.stack{display:flex;flex-direction:column;gap:.9rem;background:#fff;padding:1.25rem;border:1px solid var(--line);border-radius:8px}
        form.stack label{display:flex;flex-direction:column;gap:.3rem;font-weight:500}
        form.inline{display:inline}
        input,select,textarea,button{font:inherit;padding:.45rem .6rem;border:1px solid var(--field);border-radius:6px;max-width:100%}
        input.score{width:6rem}
        button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}
        button.link{background:none;border:none;color:var(--accent);padding:0;text-decoration:underline}
        button.secondary{background:#fff;color:var(--accent)}
        .error,.field-error{color:var(--bad)}
        .field-error{font-size:.9rem;font-weight:400}
        .notice{padding:.7rem 1rem;border-radius:6px;border:1px solid var(--line);background:#fff;margin:0 0 1rem}
        .notice.ok{border-color:var(--ok);color:var(--ok)}
        .notice.bad{border-color:var(--bad);color:var(--bad)}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem;padding:0;list-style:none}
        .cards li{background:#fff;border:1px solid var(--line);border-radius:8px;padding:1rem}
        .stats{display:flex;flex-wrap:wrap;gap:1rem;padding:0;list-style:none}
        .stats li{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.6rem 1rem}
        .stats b{display:block;font-size:1.3rem}
        .status-absent{color:var(--bad)}.status-late{color:var(--warn)}.status-excused{color:var(--muted)}
        ul.problems{background:#fff;border:1px solid var(--bad);border-radius:6px;padding:.75rem 1.75rem}
        pre{white-space:pre-wrap;background:#fff;border:1px solid var(--line);padding:.75rem;border-radius:6px}
        .badge{display:inline-block;font-size:.75rem;vertical-align:middle;padding:.1rem .45rem;border-radius:999px;background:var(--ok);color:#fff}
        .app-mark{width:3rem;height:3rem;border-radius:12px;background:var(--accent);color:#fff;font-size:1.5rem;font-weight:600;display:flex;align-items:center;justify-content:center;margin:0}
        #requested-scopes{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.75rem 1.75rem}
        .badge.draft,.badge.closed{background:var(--muted)}.badge.submitted,.badge.open{background:var(--accent)}
        .badge.rejected,.badge.suspended{background:var(--bad)}.badge.answered,.badge.waiting{background:var(--warn)}
        label.check{display:flex;gap:.5rem;align-items:baseline;font-weight:normal}
        fieldset{border:1px solid var(--line);border-radius:8px;padding:.5rem 1rem}
        nav.tabs{display:flex;gap:1rem;border-bottom:1px solid var(--line);margin:1rem 0;padding-bottom:.4rem;flex-wrap:wrap}
        nav.tabs a[aria-current]{font-weight:600}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
        code.secret{display:inline-block;word-break:break-all;background:#fff;border:1px solid var(--line);padding:.4rem;border-radius:4px}
        figure.qr svg{max-width:100%;height:auto;border:1px solid var(--line)}
        ol.codes{columns:2;font-size:1.1rem}
        .sign-in-cards{display:grid;grid-template-columns:repeat(2,1fr);gap:.5cm;margin:1rem 0}
        .sign-in-card{position:relative;background:#fff;border:1px dashed var(--muted);border-radius:6px;padding:.4cm;min-height:6.2cm;break-inside:avoid;page-break-inside:avoid}
        .sign-in-card .card-school{margin:0;font-size:.8rem;color:var(--muted)}.sign-in-card h2{margin:.1rem 0 .5rem;font-size:1.25rem}
        .sign-in-card dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .6rem;margin:0}.sign-in-card dt{color:var(--muted);font-size:.8rem}
        .sign-in-card dd{margin:0;overflow-wrap:anywhere}.sign-in-card dd.card-username,.sign-in-card dd.card-password{margin-inline-end:2.8cm}
        .sign-in-card .card-password code{font-size:1.2rem;font-weight:600;letter-spacing:.04em}
        .sign-in-card .card-qr{position:absolute;inset-inline-end:.4cm;bottom:.4cm;width:2.5cm;height:2.5cm}
        .sign-in-card .card-qr svg{display:block;width:100%;height:100%}.sign-in-card .card-qr-unchanged p{font-size:.65rem;margin:0}
        @media print{@page{size:A4;margin:1.27cm}header.top,.no-print,.notice{display:none}body{background:#fff}main{max-width:none;margin:0;padding:0}.sign-in-cards{margin:0}.sign-in-card{height:6.2cm;border-color:#888}}
        img.logo{vertical-align:middle;border-radius:8px;object-fit:contain}img.app-logo{border-radius:12px;object-fit:contain;display:block}
        .chart-row{display:flex;gap:1rem;flex-wrap:wrap;align-items:flex-start}
        svg.chart{flex:1 1 24rem;max-width:40rem;background:#fff;border:1px solid var(--line);border-radius:6px}svg.chart rect{fill:var(--accent)}
        table.numbers{flex:0 0 auto;font-size:.85rem;max-height:12rem;display:block;overflow:auto}
        article.message{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.5rem 1rem;margin:.5rem 0}
        article.message.staff{border-color:var(--accent)}.pre{white-space:pre-wrap}
        a.button{display:inline-block;background:var(--accent);color:#fff;padding:.45rem .9rem;border-radius:6px;text-decoration:none}
        button.danger{background:var(--bad);border-color:var(--bad)}button.link.danger{background:none;color:var(--bad)}
        .features li{margin:.4rem 0}.lead{font-size:1.1rem}
        @media (max-width:40rem){main{margin-top:1rem}th,td{padding:.35rem}}
        .visually-hidden,.skip-link:not(:focus){position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
        .skip-link:focus{position:absolute;top:.5rem;inset-inline-start:.5rem;z-index:10;background:#fff;color:var(--accent);padding:.5rem 1rem;border-radius:6px}
        :focus-visible{outline:3px solid var(--focus);outline-offset:2px}
        a:focus-visible,button:focus-visible,summary:focus-visible,input:focus,input:focus-within,select:focus,textarea:focus{outline:3px solid var(--focus);outline-offset:2px;box-shadow:0 0 0 5px #fff}
        main:focus,#error-summary:focus{outline:none}#error-summary:focus-visible,#error-summary:focus{box-shadow:0 0 0 3px var(--focus)}
        .notice.bad,.error-summary{border:2px solid var(--bad);border-inline-start-width:.5rem}.error-summary{padding:.7rem 1rem;border-radius:6px;background:#fff;color:var(--bad);margin:0 0 1rem}
        .error-summary-title{margin:0;font-weight:600}.error-summary ul{margin:.4rem 0 0;padding-inline-start:1.2rem}.error-summary a{color:var(--bad);text-decoration:underline}
        caption{text-align:start;font-weight:600;padding:.3rem .6rem}
        footer.site{max-width:60rem;margin:2rem auto 1rem;padding:.75rem 1rem 0;border-top:1px solid var(--line);color:var(--muted);font-size:.85rem}footer.site p{margin:.25rem 0}
        form.language-switcher{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin:.25rem 0}form.language-switcher select,form.language-switcher button{padding:.2rem .5rem}
        """
}
