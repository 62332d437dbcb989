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

// Autosave: a changed draft is saved every minute (the server answers with the time it saved).
document.querySelectorAll("form[data-autosave]").forEach((form) => {
  let dirty = false;
  const status = document.createElement("span");
  status.className = "small text-body-secondary ms-2";
  status.setAttribute("role", "status");
  form.querySelector("[name=save_and_submit]")?.after(status);
  form.addEventListener("input", () => { dirty = true; });
  setInterval(async () => {
    if (!dirty) return;
    dirty = false;
    const response = await fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Autosave": "1" },
      credentials: "same-origin",
    });
    if (response.ok) {
      status.textContent = `已自动保存（${(await response.json()).saved_at}）`;
    } else {
      dirty = true;
      status.textContent = "自动保存未成功，请检查填写内容后手动保存。";
    }
  }, 60000);
});
