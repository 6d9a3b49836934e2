// Guichet's only hand-written script: clicking a suggested @mention puts it into
// the message being typed. Everything else works without it.
document.addEventListener("click", function (e) {
  var b = e.target.closest("[data-mention]");
  if (!b) return;
  var box = document.getElementById("body");
  var at = box.value.lastIndexOf("@");
  box.value = box.value.slice(0, at + 1) + b.dataset.mention + " ";
  document.getElementById("mention-list").textContent = "";
  box.focus();
});
