/* Evidence upload on the case page (C4, C5, C9).
 *
 * Files dropped on #evidence-drop or picked with #evidence-file are sent with tus-js-client to
 * the ledger's tus endpoint (chunked, resumable: the upload URL is kept in localStorage under a
 * fingerprint, so picking the same file again after a broken connection continues where it
 * stopped). Files up to data-hash-max bytes are hashed in the browser (SHA-256) and the server
 * refuses content that does not match. When a file is stored, its SHA-256 is posted to
 * data-attach-url, which attaches it to the chosen step, and the evidence list is reloaded.
 * No framework; configuration comes from data- attributes of #evidence-upload.
 */
(function () {
  "use strict";

  var root = document.getElementById("evidence-upload");
  if (!root || !window.tus || !window.tus.isSupported || !window.fetch) {
    return; // the hash form keeps working without this script
  }
  root.hidden = false;

  var cfg = root.dataset;
  var hashMax = parseInt(cfg.hashMax || "0", 10);
  var drop = document.getElementById("evidence-drop");
  var input = document.getElementById("evidence-file");
  var list = document.getElementById("evidence-progress");
  var csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;

  function field(id) {
    return document.getElementById(id);
  }

  function capturedAt() {
    var value = field("evidence-captured-at").value;
    if (!value) return "";
    var date = new Date(value); // datetime-local is the browser's local time
    return isNaN(date.getTime()) ? "" : date.toISOString();
  }

  function sizeLabel(bytes) {
    var units = ["B", "KB", "MB", "GB"];
    var i = 0;
    while (bytes >= 1024 && i < units.length - 1) {
      bytes /= 1024;
      i += 1;
    }
    return bytes.toFixed(i ? 1 : 0) + " " + units[i];
  }

  function hex(buffer) {
    return Array.prototype.map
      .call(new Uint8Array(buffer), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      })
      .join("");
  }

  function sha256(file) {
    // crypto.subtle exists only in secure contexts (https, localhost); otherwise the server
    // hashes the file alone.
    if (!window.crypto || !window.crypto.subtle || file.size > hashMax) {
      return Promise.resolve("");
    }
    return file
      .arrayBuffer()
      .then(function (data) {
        return window.crypto.subtle.digest("SHA-256", data);
      })
      .then(hex)
      .catch(function () {
        return "";
      });
  }

  function row(file) {
    var li = document.createElement("li");
    li.className = "cases-upload-item";
    li.dataset.state = "hashing";
    var name = document.createElement("span");
    name.className = "cases-upload-name";
    name.textContent = file.name + "（" + sizeLabel(file.size) + "）";
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    var status = document.createElement("span");
    status.className = "cases-upload-status";
    status.textContent = "正在计算文件摘要…";
    li.appendChild(name);
    li.appendChild(bar);
    li.appendChild(status);
    list.appendChild(li);
    return {
      li: li,
      set: function (state, text, percent) {
        li.dataset.state = state;
        status.textContent = text;
        if (typeof percent === "number") bar.value = percent;
      },
    };
  }

  function refreshList() {
    return fetch(cfg.listUrl, { credentials: "same-origin" })
      .then(function (r) {
        return r.ok ? r.text() : Promise.reject(new Error(r.status));
      })
      .then(function (html) {
        document.getElementById("evidence-list").innerHTML = html;
      });
  }

  function attach(meta, sha, ui) {
    var body = new FormData();
    body.append("sha256", sha);
    body.append("step", meta.step);
    body.append("device", meta.deviceId);
    body.append("where", meta.where);
    body.append("captured_at", meta.captured_at);
    body.append("description", meta.description);
    body.append("filename", meta.filename);
    body.append("filetype", meta.filetype);
    ui.set("attaching", "已上传，正在关联到本案…", 100);
    return fetch(cfg.attachUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
      body: body,
    })
      .then(function (r) {
        return r
          .json()
          .catch(function () {
            return { ok: false, error: "服务器返回了无法识别的结果（" + r.status + "）。" };
          });
      })
      .then(function (result) {
        if (!result.ok) throw new Error(result.error || "关联失败。");
        ui.set("done", result.message || "已添加。", 100);
        return refreshList();
      })
      .catch(function (error) {
        ui.set("error", "关联失败：" + error.message + " 可用“按哈希关联已入库的证据”补登，SHA-256：" + sha);
      });
  }

  function start(file) {
    var ui = row(file);
    var device = field("evidence-device");
    var meta = {
      filename: file.name,
      filetype: file.type || "application/octet-stream",
      subject: cfg.subject,
      step: field("evidence-step").value,
      deviceId: device.value,
      device: device.value ? device.selectedOptions[0].dataset.serial || "" : "",
      where: field("evidence-where").value.trim(),
      captured_at: capturedAt(),
      description: field("evidence-description").value.trim(),
    };
    sha256(file).then(function (digest) {
      var serverSha = "";
      var metadata = {
        filename: meta.filename,
        filetype: meta.filetype,
        subject: meta.subject,
        step: meta.step,
        device: meta.device,
        where: meta.where,
        captured_at: meta.captured_at,
      };
      if (digest) metadata.sha256 = digest;
      ui.set("uploading", "正在上传…", 0);
      var upload = new window.tus.Upload(file, {
        endpoint: cfg.endpoint,
        chunkSize: 8 * 1024 * 1024,
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000],
        metadata: metadata,
        headers: { "X-CSRFToken": csrf },
        storeFingerprintForResuming: true,
        removeFingerprintOnSuccess: true,
        fingerprint: function (f) {
          return Promise.resolve(
            ["zhifa-evidence", cfg.subject, f.name, f.type, f.size, f.lastModified].join("|")
          );
        },
        onProgress: function (sent, total) {
          var percent = total ? Math.floor((sent / total) * 100) : 100;
          ui.set("uploading", "已上传 " + percent + "%（" + sizeLabel(sent) + " / " + sizeLabel(total) + "）", percent);
        },
        onAfterResponse: function (req, res) {
          var header = res.getHeader("Zhifa-Blob-Sha256");
          if (header) serverSha = header;
        },
        onError: function (error) {
          var text = (error && error.originalResponse && error.originalResponse.getBody()) || "";
          ui.set("error", "上传中断：" + (text || error.message || error) + " 重新选择同一文件即可续传。");
        },
        onSuccess: function () {
          var sha = serverSha || digest;
          if (!sha) {
            ui.set("error", "上传完成，但没有收到文件摘要，请刷新页面后用哈希关联。");
            return;
          }
          attach(meta, sha, ui);
        },
      });
      upload.findPreviousUploads().then(function (previous) {
        if (previous.length) {
          ui.set("uploading", "发现未完成的上传，正在续传…");
          upload.resumeFromPreviousUpload(previous[0]);
        }
        upload.start();
      });
    });
  }

  function startAll(files) {
    Array.prototype.forEach.call(files, start);
  }

  input.addEventListener("change", function () {
    startAll(input.files);
    input.value = "";
  });
  ["dragenter", "dragover"].forEach(function (type) {
    drop.addEventListener(type, function (event) {
      event.preventDefault();
      drop.classList.add("is-over");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    drop.addEventListener(type, function () {
      drop.classList.remove("is-over");
    });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      startAll(event.dataTransfer.files);
    }
  });
  drop.addEventListener("keydown", function (event) {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      input.click();
    }
  });
})();
