import { initAll } from '../govuk/govuk-frontend.min.js'
initAll()
// "Print this page" buttons (shown only when JavaScript runs).
document.querySelectorAll('[data-module="opus-print"]').forEach(function (button) {
  button.addEventListener('click', function () { window.print() })
})
