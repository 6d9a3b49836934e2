// Guichet's only hand-written script; everything works without it. Clicking a
// suggested @mention puts it into the message being typed, and deadlines count
// down on the agents' ticket pages.
document.addEventListener("click", function (e) {
  var b = e.target.closest("[data-mention]");
  if (!b) return;
  var box = document.getElementById("body");
  var at = box.value.lastIndexOf("@");
  box.value = box.value.slice(0, at + 1) + b.dataset.mention + " ";
  document.getElementById("mention-list").textContent = "";
  box.focus();
});

function countdowns() {
  var fr = document.documentElement.lang === "fr";
  document.querySelectorAll("[data-due]").forEach(function (el) {
    var ms = Date.parse(el.dataset.due) - Date.now(), late = ms < 0;
    var m = Math.floor(Math.abs(ms) / 60000), h = Math.floor(m / 60), d = Math.floor(h / 24);
    var span = d > 0 ? d + (fr ? " j " : " d ") + (h % 24) + " h" : h > 0 ? h + " h " + (m % 60) + " min" : m + " min";
    el.textContent = late ? (fr ? "dépassé de " : "overdue by ") + span : (fr ? "dans " : "in ") + span;
    el.classList.toggle("overdue", late);
  });
}
countdowns();
setInterval(countdowns, 30000);
document.addEventListener("htmx:afterSettle", countdowns);
