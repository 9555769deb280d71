/* 标签 on the article form (articles/tag_field.py): a name typed into the box becomes a new tag,
   sent as "new:名称" so that a tag called "2024" is not read as the tag whose id is 2024.
   select2 takes a function option only from its defaults: this file runs after select2 is
   loaded and before the admin's autocomplete.js starts the boxes when the page is ready.
   Only boxes with data-tags create tags, so the other autocompletes are unaffected. */
"use strict";
{
  const $ = django.jQuery;
  $.fn.select2.defaults.set("createTag", (params) => {
    const name = $.trim(params.term);
    return name ? { id: "new:" + name, text: name } : null;
  });
}
