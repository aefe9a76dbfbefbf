// Progressive enhancement only: every console page works without JavaScript.
import { initAll as initGovuk } from '/staff/assets/govuk/govuk-frontend.min.js'
import { initAll as initMoj } from '/staff/assets/moj/moj-frontend.min.js'

initGovuk()
initMoj()

// "Select all" for the bulk reassignment table: a checkbox that ticks every row's checkbox.
for (const master of document.querySelectorAll('[data-redress-select-all]')) {
  const boxes = () => document.querySelectorAll(`input[name="${master.dataset.redressSelectAll}"]`)
  master.closest('.redress-select-all').hidden = false
  master.addEventListener('change', () => {
    for (const box of boxes()) box.checked = master.checked
  })
}
