import { initAll } from "../govuk/govuk-frontend.min.js";
import { followDocumentProgress } from "./document-progress.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

const progress = document.querySelector("[data-document-progress='pending']");
if (progress) followDocumentProgress(progress);
