/* The image library's pages: drag a file onto the upload form, click the picture to set its
 * focal point, copy an image's address for the body editor. Without this script the file button
 * and the two focal point number fields do the same. */
"use strict";
{
  function dropZone() {
    const input = document.querySelector("#image_form input[type=file][name=file]");
    if (!input) {
      return;
    }
    const zone = input.closest(".form-row") || input.parentElement;
    zone.classList.add("image-drop-zone");
    const hint = document.createElement("p");
    hint.className = "image-drop-hint";
    hint.textContent = "把图片文件拖到这里，或点“选择文件”";
    zone.appendChild(hint);
    ["dragenter", "dragover"].forEach((name) =>
      zone.addEventListener(name, (event) => {
        event.preventDefault();
        zone.classList.add("is-dragging");
      })
    );
    zone.addEventListener("dragleave", () => zone.classList.remove("is-dragging"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("is-dragging");
      const files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) {
        const chosen = new DataTransfer();
        chosen.items.add(files[0]);
        input.files = chosen.files;
        hint.textContent = `已选择：${files[0].name}`;
      }
    });
  }

  function focalPicker() {
    const picker = document.querySelector("[data-focal-picker]");
    const x = document.querySelector("#id_focal_x");
    const y = document.querySelector("#id_focal_y");
    if (!picker || !x || !y) {
      return;
    }
    const marker = picker.querySelector(".focal-marker");
    const place = () => {
      marker.style.left = `${Number(x.value) * 100}%`;
      marker.style.top = `${Number(y.value) * 100}%`;
      marker.hidden = false;
    };
    picker.querySelector("img").addEventListener("click", (event) => {
      const box = event.currentTarget.getBoundingClientRect();
      x.value = ((event.clientX - box.left) / box.width).toFixed(3);
      y.value = ((event.clientY - box.top) / box.height).toFixed(3);
      place();
    });
    x.addEventListener("input", place);
    y.addEventListener("input", place);
    place();
  }

  function copyAddress() {
    document.addEventListener("click", (event) => {
      const button = event.target.closest("[data-copy-address]");
      if (!button) {
        return;
      }
      const field = button.parentElement.querySelector(".image-address");
      field.select();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(field.value).then(() => (button.textContent = "已复制"));
      }
    });
  }

  const start = () => {
    dropZone();
    focalPicker();
    copyAddress();
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}
