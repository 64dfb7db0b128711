// The "Print this page" link of printable pages: without JavaScript the page says to use the browser's print
// command instead, so the link is shown, and the hint hidden, only here.
for (const link of document.querySelectorAll('.app-print-link')) {
  link.hidden = false
  link.parentElement.querySelector('.app-print-hint')?.setAttribute('hidden', '')
  link.addEventListener('click', (event) => {
    event.preventDefault()
    window.print()
  })
}
