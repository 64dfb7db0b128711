// Starts GOV.UK Frontend. The Design System template does this body class
// change in an inline script; our Content-Security-Policy forbids inline
// script, so it is done here. Browsers that do not support ES modules never
// load this file, so they get the no-JavaScript experience, as intended.
import { initAll } from './govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
