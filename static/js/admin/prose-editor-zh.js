/* Chinese for the rich-text editor's dialogs. The editor asks window.gettext, which the admin's
   JavaScript catalogue (loaded before this file) provides; these entries extend that catalogue. */
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
}
