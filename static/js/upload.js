/* Resumable, chunked upload of audio-video evidence with a progress bar (recording/views_evidence.py
   describes the protocol). Without JavaScript the form posts the whole file and the server takes it the same
   way; with it, the file goes in chunks, each sent at the offset the server holds (Upload-Offset). After a
   broken connection the page asks the server for that offset and continues from the last byte received;
   after a closed page, choosing the same file again resumes it (the upload's address is kept in
   localStorage). The server computes the SHA-256 while the bytes stream in and the page shows it at the end:
   hashing gigabytes in the browser would take longer than the upload. No inline script: CSP forbids it. */
(function () {
  "use strict";

  var form = document.querySelector("[data-upload-form]");
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.fetch || !window.Blob) {
    return;
  }
  var fileInput = form.querySelector('input[type="file"]');
  var progressBox = form.querySelector("[data-upload-progress]");
  var bar = progressBox ? progressBox.querySelector("progress") : null;
  var statusLine = form.querySelector("[data-upload-status]");
  var submit = form.querySelector("[data-upload-submit]");
  var done = document.querySelector("[data-upload-done]");
  var maxBytes = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
  var csrf = form.querySelector('input[name="csrfmiddlewaretoken"]');
  var busy = false;
  var MAX_RETRIES = 30;

  function say(text) {
    if (statusLine) {
      statusLine.textContent = text;
    }
  }

  function mb(bytes) {
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  function showProgress(received, total, startedAt, startOffset) {
    var percent = total ? Math.floor((received / total) * 100) : 0;
    if (bar) {
      bar.value = percent;
      bar.textContent = percent + "%";
    }
    var seconds = (Date.now() - startedAt) / 1000;
    var speed = seconds > 0.5 ? "，约 " + mb((received - startOffset) / seconds) + "/秒" : "";
    say("已上传 " + mb(received) + " / " + mb(total) + "（" + percent + "%）" + speed);
  }

  function resumeKey(file) {
    return "wuding-upload:" + form.action + ":" + file.name + ":" + file.size + ":" + file.lastModified;
  }

  function remember(file, url) {
    try {
      window.localStorage.setItem(resumeKey(file), url);
    } catch (e) {
      /* private mode: resuming after a closed page is then not possible, the rest works */
    }
  }

  function forget(file) {
    try {
      window.localStorage.removeItem(resumeKey(file));
    } catch (e) {
      /* ignore */
    }
  }

  function remembered(file) {
    try {
      return window.localStorage.getItem(resumeKey(file));
    } catch (e) {
      return null;
    }
  }

  function wait(ms) {
    return new Promise(function (resolve) {
      window.setTimeout(resolve, ms);
    });
  }

  function readJson(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return null;
    }
  }

  function fail(message, file) {
    busy = false;
    if (file) {
      forget(file);
    }
    say(message);
    if (statusLine) {
      statusLine.classList.add("error");
    }
    if (submit) {
      submit.classList.remove("is-busy");
      submit.removeAttribute("aria-disabled");
    }
  }

  // The server's offset for an upload, or null when it no longer accepts bytes (finished or abandoned).
  function serverOffset(url) {
    return fetch(url, { method: "GET", credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) {
          return null;
        }
        return response.json().then(function (data) {
          return data && data.status === "open" ? data.offset : null;
        });
      }
    );
  }

  function sendChunk(url, file, offset, chunkSize, onProgress) {
    return new Promise(function (resolve) {
      var end = Math.min(offset + chunkSize, file.size);
      var xhr = new XMLHttpRequest();
      xhr.open("PATCH", url, true);
      xhr.setRequestHeader("Upload-Offset", String(offset));
      xhr.setRequestHeader("Content-Type", "application/offset+octet-stream");
      xhr.setRequestHeader("Accept", "application/json");
      if (csrf) {
        xhr.setRequestHeader("X-CSRFToken", csrf.value);
      }
      xhr.upload.onprogress = function (event) {
        onProgress(offset + event.loaded);
      };
      xhr.onload = function () {
        resolve({ status: xhr.status, data: readJson(xhr.responseText) });
      };
      xhr.onerror = function () {
        resolve({ status: 0, data: null });
      };
      xhr.ontimeout = xhr.onerror;
      xhr.send(file.slice(offset, end));
    });
  }

  function sendAll(url, file, offset, chunkSize) {
    var startedAt = Date.now();
    var startOffset = offset;
    var failures = 0;
    function progress(received) {
      showProgress(Math.min(received, file.size), file.size, startedAt, startOffset);
    }
    function step(current) {
      if (current >= file.size) {
        // Every byte is in but the completing answer was lost: ask the server how it ended.
        return serverOffset(url).then(function (held) {
          if (held === null) {
            forget(file);
            busy = false;
            say("文件已全部上传，请在音像记录列表中查看结果。");
            return;
          }
          return step(held);
        });
      }
      progress(current);
      return sendChunk(url, file, current, chunkSize, progress).then(function (answer) {
        var data = answer.data || {};
        if (answer.status >= 200 && answer.status < 400 && answer.data === null) {
          // Not our JSON: the session ended and the request was sent to the sign-in page.
          fail("登录已过期，请重新登录后再次选择同一文件，上传会从中断处继续。", null);
          return;
        }
        if (answer.status === 200 && data.complete) {
          finish(file, data);
          return;
        }
        if (answer.status === 200) {
          failures = 0;
          if (data.chunk_size) {
            // The server's chunk size (on an object store each chunk is one part of the stored file).
            chunkSize = data.chunk_size;
          }
          return step(data.offset);
        }
        if (answer.status === 409 && typeof data.offset === "number") {
          // The server holds another offset (a chunk was cut off): continue from the last byte it has.
          return step(data.offset);
        }
        if (answer.status >= 400 && answer.status < 500 && data.error) {
          fail(data.error, file);
          return;
        }
        failures += 1;
        if (failures > MAX_RETRIES) {
          fail("网络连接多次中断，已暂停。请检查网络后再次点击“上传”，将从已上传的位置继续。", null);
          return;
        }
        var delay = Math.min(30000, 1000 * Math.pow(2, Math.min(failures - 1, 5)));
        say("网络连接中断，" + Math.round(delay / 1000) + " 秒后从服务器已收到的位置继续……");
        return wait(delay)
          .then(function () {
            return serverOffset(url);
          })
          .then(
            function (held) {
              if (held === null) {
                fail("该上传已被服务器终止，请重新选择文件上传。", file);
                return;
              }
              return step(held);
            },
            function () {
              return step(current);
            }
          );
      });
    }
    return step(offset);
  }

  function finish(file, data) {
    forget(file);
    busy = false;
    if (bar) {
      bar.value = 100;
      bar.textContent = "100%";
    }
    say("上传完成。");
    if (done) {
      var hash = done.querySelector("[data-upload-hash]");
      var link = done.querySelector("[data-upload-link]");
      if (hash) {
        hash.textContent = data.sha256;
      }
      var notice = done.querySelector("[data-upload-notice]");
      if (notice && data.notice) {
        notice.textContent = data.notice;
        notice.hidden = false;
      }
      if (link && data.evidence_url) {
        link.setAttribute("href", data.evidence_url);
      }
      done.hidden = false;
      form.hidden = true;
    }
  }

  function startNew(file) {
    var body = new FormData(form);
    body.delete("file");
    body.set("name", file.name);
    body.set("size", String(file.size));
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.text().then(function (text) {
        var data = readJson(text);
        if (response.status === 201 && data) {
          remember(file, data.url);
          return sendAll(data.url, file, 0, data.chunk_size);
        }
        fail((data && data.error) || "无法开始上传（登录可能已过期），请刷新页面后重试。", null);
      });
    });
  }

  form.addEventListener("submit", function (event) {
    var file = fileInput && fileInput.files && fileInput.files[0];
    if (!file) {
      return; // the server answers with what is missing
    }
    event.preventDefault();
    if (busy) {
      return;
    }
    if (maxBytes && file.size > maxBytes) {
      fail("文件大小 " + mb(file.size) + " 超过上限 " + mb(maxBytes) + "，不能上传。", null);
      return;
    }
    busy = true;
    if (statusLine) {
      statusLine.classList.remove("error");
    }
    if (submit) {
      submit.classList.add("is-busy");
      submit.setAttribute("aria-disabled", "true");
    }
    if (progressBox) {
      progressBox.hidden = false;
    }
    var chunkSize = 8 * 1048576;
    var previous = remembered(file);
    var begin = previous
      ? serverOffset(previous).then(
          function (held) {
            if (held === null) {
              forget(file);
              return startNew(file);
            }
            say("发现未完成的上传，从 " + mb(held) + " 处继续……");
            return sendAll(previous, file, held, chunkSize);
          },
          function () {
            return startNew(file);
          }
        )
      : startNew(file);
    begin.catch(function () {
      fail("网络连接中断，请检查网络后再次点击“上传”，将从已上传的位置继续。", null);
    });
  });
})();
