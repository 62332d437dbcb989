// Report editor: a finding's 插入 button appends its text to the narrative box it names, where the
// writer edits or deletes it like their own words.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-insert-finding]");
  if (!button) return;
  const box = document.getElementById(button.dataset.target);
  if (!box) return;
  const text = button.dataset.insertFinding;
  box.value = box.value && !box.value.endsWith("\n") ? `${box.value}\n${text}` : box.value + text;
  box.dispatchEvent(new Event("input", { bubbles: true }));
  box.focus();
  button.disabled = true;
  button.textContent = "已插入";
});
