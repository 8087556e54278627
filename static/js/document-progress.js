// A document being made in the background (templates/reports/document_job.html): fetch the
// page again every few seconds and swap in its progress region, which is announced politely.
// Stops once the document is ready or has failed; without scripts, "Check again" does this.
const INTERVAL_MS = 3000;

export function followDocumentProgress(region) {
  const check = async () => {
    let page;
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) return; // signed out, or an error page: leave "Check again" to the person
      page = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch {
      setTimeout(check, INTERVAL_MS);
      return;
    }
    const fresh = page.getElementById("document-progress");
    if (!fresh) return;
    region.replaceChildren(...Array.from(fresh.childNodes, (node) => document.importNode(node, true)));
    region.dataset.documentProgress = fresh.dataset.documentProgress;
    if (region.dataset.documentProgress === "pending") setTimeout(check, INTERVAL_MS);
  };
  setTimeout(check, INTERVAL_MS);
}
