/* Pictures pasted or dropped into the article body editor go to the image library first.
 *
 * A file from the clipboard or the desktop is posted to the library's upload address (the same
 * form and checks as its add page; the same picture uploaded before is reused), after asking for
 * its alt text, which the library requires. The editor then receives the stored image as HTML,
 * through the same paste path as any copied HTML, so its own rules apply. Pasted text and HTML
 * are left to the editor untouched. */
"use strict";
{
  const uploadUrl = () => {
    const home = document.querySelector("#site-name a");
    return (home ? home.getAttribute("href") : "/admin/") + "images/image/upload/";
  };
  const csrfToken = () => {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  };
  const imageFiles = (data) =>
    data ? Array.from(data.files || []).filter((file) => file.type.startsWith("image/")) : [];
  const escape = (text) =>
    String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

  const status = (editor, text, isError) => {
    let box = editor.parentElement.querySelector(".body-image-status");
    if (!box) {
      box = document.createElement("p");
      box.className = "body-image-status";
      box.setAttribute("role", "status");
      editor.parentElement.insertBefore(box, editor.nextSibling);
    }
    box.textContent = text;
    box.classList.toggle("errornote", Boolean(isError));
  };

  async function upload(file) {
    const alt = (window.prompt(`「${file.name || "粘贴的图片"}」的替代文字（必填，写图上有什么）：`, "") || "").trim();
    if (!alt) {
      throw new Error("没有填写替代文字，图片未插入。");
    }
    const body = new FormData();
    body.append("file", file, file.name || "粘贴的图片.png");
    body.append("alt", alt);
    body.append("focal_x", "0.5");
    body.append("focal_y", "0.5");
    const response = await fetch(uploadUrl(), {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
    const data = await response.json().catch(() => ({ errors: [`上传失败（${response.status}）`] }));
    if (!response.ok) {
      throw new Error((data.errors || ["上传失败"]).join(" "));
    }
    return data;
  }

  const asHtml = (image) => {
    const img = `<img src="${escape(image.url)}" alt="${escape(image.alt)}">`;
    return image.caption
      ? `<figure>${img}<figcaption>${escape(image.caption)}</figcaption></figure>`
      : `<p>${img}</p>`;
  };

  function insert(target, html) {
    const data = new DataTransfer();
    data.setData("text/html", html);
    data.setData("text/plain", "");
    target.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }

  async function take(event, data) {
    const editor = event.target.closest && event.target.closest(".ProseMirror");
    const files = imageFiles(data);
    if (!editor || !files.length) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    for (const file of files) {
      status(editor, "正在上传图片…");
      try {
        const image = await upload(file);
        editor.focus();
        insert(editor, asHtml(image));
        status(editor, `已插入图片「${image.alt}」（已存入图片库）`);
      } catch (error) {
        status(editor, error.message, true);
      }
    }
  }

  document.addEventListener("paste", (event) => take(event, event.clipboardData), true);
  document.addEventListener("drop", (event) => take(event, event.dataTransfer), true);
}
