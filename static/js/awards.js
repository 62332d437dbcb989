// Awards pages: the print button of the public notice (inline handlers are forbidden by the CSP).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
