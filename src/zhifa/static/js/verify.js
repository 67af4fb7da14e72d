// In-browser check of a published decision against the signed ledger checkpoint.
// Steps: content SHA-256 = the event's payload.content_sha256; leaf = SHA-256(0x00 || event)
// (RFC 6962); the audit path folds to the checkpoint's root (RFC 9162 §2.1.3.2).
(function () {
  "use strict";
  var dataEl = document.getElementById("verify-data");
  var out = document.getElementById("verify-result");
  var steps = document.getElementById("verify-steps");
  if (!dataEl || !out) return;
  var data = JSON.parse(dataEl.textContent);

  function hex(buf) {
    return Array.prototype.map.call(new Uint8Array(buf), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function unhex(s) {
    var a = new Uint8Array(s.length / 2);
    for (var i = 0; i < a.length; i++) a[i] = parseInt(s.substr(i * 2, 2), 16);
    return a;
  }
  function concat(parts) {
    var n = 0, i, off = 0;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    var out = new Uint8Array(n);
    for (i = 0; i < parts.length; i++) { out.set(parts[i], off); off += parts[i].length; }
    return out;
  }
  function sha(bytes) {
    return crypto.subtle.digest("SHA-256", bytes).then(function (b) { return new Uint8Array(b); });
  }
  function leafHash(bytes) { return sha(concat([new Uint8Array([0]), bytes])); }
  function nodeHash(l, r) { return sha(concat([new Uint8Array([1]), l, r])); }
  function step(ok, text) {
    var li = document.createElement("li");
    li.textContent = (ok ? "✓ " : "✗ ") + text;
    steps.appendChild(li);
    return ok;
  }

  async function rootFromPath(index, size, leaf, path) {
    if (index >= size) return null;
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      var p = unhex(path[i]);
      if (sn === 0) return null;
      if ((fn & 1) === 1 || fn === sn) {
        r = await nodeHash(p, r);
        if ((fn & 1) === 0) {
          while ((fn & 1) === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  async function run() {
    if (!window.crypto || !crypto.subtle) {
      out.textContent = "此浏览器不支持 Web Crypto（需要 HTTPS 或本机访问），请用离线核验工具。";
      return;
    }
    var enc = new TextEncoder();
    var ok = true;
    var contentHash = hex(await sha(enc.encode(data.content)));
    ok = step(contentHash === data.content_sha256, "公示内容的 SHA-256 为 " + contentHash) && ok;
    var event = JSON.parse(data.event);
    ok = step(event.payload && event.payload.content_sha256 === contentHash,
      "账本事件 #" + event.seq + " 记录的内容哈希与公示内容一致") && ok;
    var leaf = await leafHash(enc.encode(data.event));
    ok = step(hex(leaf) === data.leaf_hash, "事件叶子哈希 " + hex(leaf)) && ok;
    var root = await rootFromPath(data.index, data.size, leaf, data.path);
    ok = step(root !== null && hex(root) === data.root,
      "沿审计路径算出的根哈希与检查点（记录总数 " + data.size + "）一致") && ok;
    out.textContent = ok ? "✓ 核验通过：本公示内容已记入防篡改账本。" : "✗ 核验失败：内容与账本不一致。";
    out.className = ok ? "verify-ok" : "verify-fail";
  }
  run().catch(function (e) { out.textContent = "✗ 核验出错：" + e; });
})();
