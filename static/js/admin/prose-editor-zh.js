/* Chinese for the rich-text editor. Dialogs ask window.gettext, which the admin's JavaScript
   catalogue (loaded before this file) provides: these entries extend that catalogue. Toolbar
   buttons carry fixed English tooltips: they are renamed by their data-name once they appear. */
"use strict";
{
  const django = window.django || (window.django = {});
  django.catalog = django.catalog || {};
  Object.assign(django.catalog, {
    "Add caption": "添加图注",
    "Alternative Text": "替代文字（供读屏软件朗读）",
    "Browse...": "浏览…",
    "Bullets": "项目符号",
    "Cancel": "取消",
    "Caption": "图注",
    "Columns": "列数",
    "Decimal numbers": "数字",
    "Edit Figure": "编辑图片",
    "Edit HTML": "编辑 HTML 源代码",
    "Edit Image": "编辑图片",
    "Edit Link": "编辑链接",
    "Image URL": "图片地址",
    "Include header row": "包含表头行",
    "Insert": "插入",
    "Insert Figure": "插入图片",
    "Insert Table": "插入表格",
    "List properties": "列表设置",
    "List type": "列表样式",
    "Lowercase Roman numerals": "小写罗马数字",
    "Lowercase letters": "小写字母",
    "Open in new window": "在新窗口打开",
    "Prettify": "整理格式",
    "Remove caption": "删除图注",
    "Rows": "行数",
    "Start at": "起始编号",
    "Table Properties": "表格设置",
    "The HTML contents of the editor. Note that the allowed HTML is restricted by the editor schema.":
      "正文的 HTML 源代码。编辑器只保留它支持的标签，保存时还会按白名单清理。",
    "Title": "标题",
    "Toggle fullscreen": "全屏编辑",
    "URL": "网址",
    "Update": "更新",
    "Uppercase Roman numerals": "大写罗马数字",
    "Uppercase letters": "大写字母",
  });
  if (typeof window.gettext !== "function") {
    window.gettext = (msgid) => django.catalog[msgid] || msgid;
  }

  const buttonNames = {
    heading2: "二级标题",
    heading3: "三级标题",
    heading4: "四级标题",
    paragraph: "正文段落",
    bulletList: "无序列表",
    orderedList: "有序列表",
    blockquote: "引用",
    horizontalRule: "分隔线",
    figure: "插入图片",
    bold: "加粗",
    italic: "斜体",
    underline: "下划线",
    subscript: "下标",
    superscript: "上标",
    link: "插入链接",
    unlink: "取消链接",
    table: "插入表格",
    "table:addColumnAfter": "右侧插入列",
    "table:deleteColumn": "删除列",
    "table:addRowAfter": "下方插入行",
    "table:deleteRow": "删除行",
    "table:mergeCells": "合并单元格",
    "table:splitCell": "拆分单元格",
    "table:toggleHeaderCell": "切换表头单元格",
    "table:deleteTable": "删除表格",
    "history:undo": "撤销",
    "history:redo": "重做",
    html: "编辑 HTML 源代码",
  };
  const rename = (root) => {
    for (const button of root.querySelectorAll(".prose-menubar [data-name]")) {
      const name = buttonNames[button.dataset.name];
      if (name && button.title !== name) {
        button.title = name;
        button.setAttribute("aria-label", name);
      }
    }
  };
  const observer = new MutationObserver(() => rename(document));
  document.addEventListener("DOMContentLoaded", () => {
    rename(document);
    observer.observe(document.body, { childList: true, subtree: true });
  });
}
