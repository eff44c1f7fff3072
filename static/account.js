// limited-links web account: copy buttons and confirmations. The pages
// work without it; it only adds comfort.
'use strict';

function copyText(field) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(field.value);
  }
  // older browsers and plain-HTTP hosts: select and copy
  field.focus();
  field.select();
  return document.execCommand('copy') ? Promise.resolve()
    : Promise.reject(new Error('copy refused'));
}

document.addEventListener('DOMContentLoaded', () => {
  for (const button of document.querySelectorAll('button[data-copy]')) {
    const field = document.getElementById(button.dataset.copy);
    if (!field) continue;
    button.hidden = false;
    button.addEventListener('click', () => {
      copyText(field).then(() => {
        button.textContent = 'Copied';
        button.classList.add('done');
      }, () => {
        field.focus();
        field.select();
        button.textContent = 'Press Ctrl+C';
      }).finally(() => {
        setTimeout(() => {
          button.textContent = 'Copy';
          button.classList.remove('done');
        }, 1800);
      });
    });
  }
  // a click in a read-only link selects all of it
  for (const field of document.querySelectorAll('textarea[readonly]')) {
    field.addEventListener('focus', () => field.select());
  }
  for (const button of document.querySelectorAll('button[data-confirm]')) {
    button.addEventListener('click', (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  }
});
