// Checks a chosen file before it is sent (type by its first bytes, and size) and shows upload
// progress; the server checks both again, so this only saves the applicant a wasted upload.
(function () {
  var LABELS = { pdf: "PDF", ofd: "OFD", jpg: "JPEG 图片", png: "PNG 图片" };

  function sniff(bytes) {
    var b = bytes;
    if (b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46) return "pdf";
    if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "png";
    if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpg";
    if (b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) return "ofd";
    return null;
  }

  // A size in the limit's unit, to one decimal place, as the server says it (core/text.py):
  // rounded up when compared with the limit, so a size just over it never reads as equal.
  function sizeText(bytes, unit, roundUp) {
    var tenths = (bytes * 10) / (unit === "MB" ? 1048576 : 1024);
    var value = (roundUp ? Math.ceil(tenths) : Math.floor(tenths)) / 10;
    return value.toFixed(value % 1 ? 1 : 0) + " " + unit;
  }

  function check(form, file) {
    var max = parseInt(form.dataset.maxBytes, 10);
    var types = (form.dataset.types || "").split(",");
    if (file.size === 0) return Promise.resolve("文件是空的");
    if (file.size > max) {
      var unit = max >= 1048576 ? "MB" : "KB";
      return Promise.resolve("文件大小 " + sizeText(file.size, unit, true) + "，超过上限 " + sizeText(max, unit, false));
    }
    return file.slice(0, 8).arrayBuffer().then(function (buffer) {
      var kind = sniff(new Uint8Array(buffer));
      if (!kind || types.indexOf(kind) < 0) {
        var accepted = types.map(function (t) { return LABELS[t] || t; }).join("、");
        return "只接受 " + accepted + "；所选文件按内容识别为：" + (LABELS[kind] || "无法识别的格式");
      }
      return "";
    });
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("form.upload input[type=file]")) return;
    var form = input.form;
    var message = form.querySelector(".error");
    var button = form.querySelector("button[type=submit]");
    if (!input.files.length) return;
    check(form, input.files[0]).then(function (problem) {
      message.textContent = problem;
      button.disabled = Boolean(problem);
      input.setAttribute("aria-invalid", problem ? "true" : "false");
    });
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest ? event.target.closest("form.upload") : null;
    if (!form || !event.detail.lengthComputable) return;
    var bar = form.querySelector("progress");
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  });
})();
