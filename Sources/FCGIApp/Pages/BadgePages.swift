import Domain

/// The sign-in page of QR badges (issue 16, item 3) and its script (served as /assets/badge.js: the CSP allows only
/// our own scripts). Two ways in:
/// - a badge's QR code is the link `<app URL>/login/badge#<secret>`; the fragment never reaches a server, so the
///   script reads it, removes it from the address bar and the history at once, and posts it as an ordinary form.
///   Any camera app that opens the link lands here;
/// - "Scan my badge" opens the device's camera in the page. The script draws the video into a canvas, scaled to
///   at most 640 pixels a side, keeps one grey byte per pixel and sends a few frames a second to
///   `POST /badge/frame`, where libzbar reads them; when a badge of this site is in view the script posts the form
///   as above. Opened from a school's sign-in page (`?school=`), the form names that school and a badge of another
///   school is refused.
enum BadgePages {
    /// The school a page was opened for.
    struct School {
        let sourcedID: String
        let name: String
    }

    static var defaultTitle: String { L("badge.title") }

    /// The page: the form the script fills and sends, the camera's view, and what a person sees meanwhile or after
    /// a refusal.
    static func signIn(csrf: String, error: String?, title: String = defaultTitle, school: School? = nil) -> HTML {
        let back = school.map { "/login?school=" + FormCodec.encode($0.sourcedID) } ?? "/login"
        return Layout.page(
            title: title, session: nil, narrow: true,
            """
            <h1>\(title)</h1>
            \(school.map { "<p class=\"muted\" id=\"badge-school\">\($0.name)</p>" as HTML } ?? "")
            \(error.map { "<p class=\"notice error\" role=\"alert\" id=\"badge-error\">\($0)</p>" as HTML } ?? "")
            <form id="badge-form" method="post" action="/login/badge">\(Layout.csrfField(csrf))
            <input type="hidden" name="secret" id="badge-secret" value="">
            \(school.map { "<input type=\"hidden\" name=\"school\" value=\"\($0.sourcedID)\">" as HTML } ?? "")
            </form>
            <section id="badge-camera" aria-label="\(L("badge.camera"))">
            <p><button type="button" id="badge-scan">\(L("badge.scan"))</button></p>
            <video id="badge-video" muted playsinline hidden width="320" height="240"></video>
            <p id="badge-status" class="muted" role="status" aria-live="polite" data-hold="\(L("badge.hold"))" data-signing-in="\(L("badge.js.signing_in"))" \
            data-stopped="\(L("badge.js.stopped"))" data-found="\(L("badge.js.found"))" data-no-camera="\(L("badge.js.no_camera"))" \
            data-starting="\(L("badge.js.starting"))" data-camera-refused="\(L("badge.js.camera_refused"))">\(L("badge.hold"))</p>
            </section>
            <noscript><p>\(L("badge.noscript"))</p></noscript>
            <p><a href="\(back)">\(L("badge.password_instead"))</a></p>
            <script src="/assets/badge.js"></script>
            """)
    }

    /// Takes the secret out of the address (so it stays in no history entry, bookmark or screenshot of the bar) and
    /// posts it; without a fragment, the camera button scans frames until a badge is in view.
    static let script = """
        "use strict";
        (function () {
          var form = document.getElementById("badge-form");
          var secretField = document.getElementById("badge-secret");
          function send(secret) {
            secretField.value = secret;
            form.submit();
          }
          var words = document.getElementById("badge-status").dataset;
          var fromLink = window.location.hash.slice(1);
          if (fromLink) {
            history.replaceState(null, "", window.location.pathname + window.location.search);
            document.getElementById("badge-status").textContent = words.signingIn;
            send(fromLink);
            return;
          }
          var button = document.getElementById("badge-scan");
          var video = document.getElementById("badge-video");
          var status = document.getElementById("badge-status");
          var csrf = form.elements.csrf.value;
          var canvas = document.createElement("canvas");
          var stream = null;
          var busy = false;
          function stop() {
            if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
            stream = null;
            video.hidden = true;
            button.hidden = false;
          }
          function grey() {
            var width = video.videoWidth, height = video.videoHeight;
            if (!width || !height) return null;
            var scale = Math.min(1, 640 / Math.max(width, height));
            width = Math.max(32, Math.round(width * scale));
            height = Math.max(32, Math.round(height * scale));
            canvas.width = width;
            canvas.height = height;
            var drawing = canvas.getContext("2d", { willReadFrequently: true });
            drawing.drawImage(video, 0, 0, width, height);
            var rgba = drawing.getImageData(0, 0, width, height).data;
            var pixels = new Uint8Array(width * height);
            for (var i = 0, j = 0; j < pixels.length; i += 4, j += 1) {
              pixels[j] = (rgba[i] * 77 + rgba[i + 1] * 150 + rgba[i + 2] * 29) >> 8;
            }
            return { width: width, height: height, pixels: pixels };
          }
          function scan() {
            if (!stream || busy) return;
            var frame = grey();
            if (!frame) { window.setTimeout(scan, 200); return; }
            busy = true;
            fetch("/badge/frame?w=" + frame.width + "&h=" + frame.height, {
              method: "POST", credentials: "same-origin",
              headers: { "Content-Type": "application/octet-stream", "X-CSRF-Token": csrf },
              body: frame.pixels
            }).then(function (response) {
              return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
            }).then(function (result) {
              busy = false;
              if (!result.ok) {
                status.textContent = result.answer.error_description || words.stopped;
                stop();
                return;
              }
              if (result.answer.badge) {
                status.textContent = words.found;
                stop();
                send(result.answer.badge);
                return;
              }
              if (result.answer.message) status.textContent = result.answer.message;
              window.setTimeout(scan, 300);
            }).catch(function () {
              busy = false;
              status.textContent = words.stopped;
              stop();
            });
          }
          button.addEventListener("click", function () {
            if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
              status.textContent = words.noCamera;
              return;
            }
            status.textContent = words.starting;
            navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (media) {
              stream = media;
              video.srcObject = media;
              video.hidden = false;
              button.hidden = true;
              return video.play();
            }).then(function () {
              status.textContent = words.hold;
              scan();
            }).catch(function () {
              status.textContent = words.cameraRefused;
              stop();
            });
          });
        })();
        """
}
