// Passkey ceremonies for /account/passkeys and /sign-in/passkey. The pages work without this script: they
// say that passkeys need a supporting browser, and show no passkey button. Here, when the browser supports
// WebAuthn, the buttons are shown; a button asks the server for options, passes them to the browser's
// credential API, and posts the answer back. Failures are shown in the page's GOV.UK error summary.

const genericFailure = 'Sorry, there is a problem with the service. Reload the page and try again'

// base64urlToBuffer decodes base64url (with or without padding) to an ArrayBuffer.
function base64urlToBuffer (text) {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/')
  const padded = b64 + '==='.slice((b64.length + 3) % 4)
  const binary = atob(padded)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i)
  }
  return bytes.buffer
}

// bufferToBase64url encodes an ArrayBuffer (or view) as base64url without padding.
function bufferToBase64url (buffer) {
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
  let binary = ''
  for (const b of bytes) {
    binary += String.fromCharCode(b)
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

// decodeDescriptors turns the ids of a list of credential descriptors into ArrayBuffers.
function decodeDescriptors (list) {
  return (list || []).map((d) => ({ ...d, id: base64urlToBuffer(d.id) }))
}

// creationOptions prepares the server's CredentialCreation JSON for navigator.credentials.create.
function creationOptions (json) {
  const pk = json.publicKey
  return {
    publicKey: {
      ...pk,
      challenge: base64urlToBuffer(pk.challenge),
      user: { ...pk.user, id: base64urlToBuffer(pk.user.id) },
      excludeCredentials: decodeDescriptors(pk.excludeCredentials)
    }
  }
}

// requestOptions prepares the server's CredentialAssertion JSON for navigator.credentials.get.
function requestOptions (json) {
  const pk = json.publicKey
  return {
    publicKey: {
      ...pk,
      challenge: base64urlToBuffer(pk.challenge),
      allowCredentials: decodeDescriptors(pk.allowCredentials)
    }
  }
}

// credentialJSON encodes a PublicKeyCredential for the server.
function credentialJSON (cred) {
  const r = cred.response
  const response = { clientDataJSON: bufferToBase64url(r.clientDataJSON) }
  if (r.attestationObject) {
    response.attestationObject = bufferToBase64url(r.attestationObject)
    if (typeof r.getTransports === 'function') {
      response.transports = r.getTransports()
    }
  } else {
    response.authenticatorData = bufferToBase64url(r.authenticatorData)
    response.signature = bufferToBase64url(r.signature)
    if (r.userHandle) {
      response.userHandle = bufferToBase64url(r.userHandle)
    }
  }
  const out = {
    id: cred.id,
    rawId: bufferToBase64url(cred.rawId),
    type: cred.type,
    response,
    clientExtensionResults: typeof cred.getClientExtensionResults === 'function' ? cred.getClientExtensionResults() : {}
  }
  if (cred.authenticatorAttachment) {
    out.authenticatorAttachment = cred.authenticatorAttachment
  }
  return out
}

// Problem is a failure with a message for the user, optionally linking to a field or a page.
class Problem extends Error {
  constructor (message, href) {
    super(message)
    this.href = href
  }
}

// post sends JSON to a same-origin endpoint and returns its JSON answer, or throws a Problem.
async function post (url, body) {
  let res
  try {
    res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body ?? {})
    })
  } catch {
    throw new Problem('The service could not be reached. Check your connection and try again')
  }
  let data = null
  if ((res.headers.get('Content-Type') || '').startsWith('application/json')) {
    data = await res.json().catch(() => null)
  }
  if (!res.ok || data === null) {
    if (data && data.message) {
      const href = data.redirect || (data.field === 'name' ? '#passkey-name' : undefined)
      throw new Problem(data.message, href)
    }
    if (res.status === 401 || res.redirected) {
      throw new Problem('Your session has ended. Sign in again', '/sign-in')
    }
    throw new Problem(genericFailure)
  }
  return data
}

// browserProblem turns an exception from the credential API into a message for the user.
function browserProblem (err) {
  switch (err && err.name) {
    case 'NotAllowedError':
    case 'AbortError':
      return new Problem('The passkey request was cancelled or timed out. Try again')
    case 'InvalidStateError':
      return new Problem('This passkey is already added to your account')
    case 'SecurityError':
      return new Problem('Passkeys cannot be used at this address. Use the service’s domain name')
    case 'NotSupportedError':
      return new Problem('Your browser or device cannot create a passkey of the kind the service needs')
  }
  return new Problem(genericFailure)
}

function showProblem (problem) {
  const box = document.querySelector('[data-passkey-error]')
  const list = box && box.querySelector('[data-passkey-error-list]')
  if (!list) {
    return
  }
  const item = document.createElement('li')
  if (problem.href) {
    const a = document.createElement('a')
    a.href = problem.href
    a.textContent = problem.message
    item.append(a)
  } else {
    item.textContent = problem.message
  }
  list.replaceChildren(item)
  box.hidden = false
  if (!document.title.startsWith('Error: ')) {
    document.title = 'Error: ' + document.title
  }
  const summary = box.querySelector('.govuk-error-summary')
  summary.scrollIntoView()
  summary.focus()
}

function clearProblem () {
  const box = document.querySelector('[data-passkey-error]')
  if (box) {
    box.hidden = true
  }
  document.title = document.title.replace(/^Error: /, '')
}

async function register (button) {
  const nameInput = document.getElementById(button.dataset.passkeyName)
  const name = nameInput ? nameInput.value.trim() : ''
  if (name.length > 100) {
    throw new Problem('Passkey name must be 100 characters or fewer', '#passkey-name')
  }
  const options = creationOptions(await post(button.dataset.passkeyBegin))
  let cred
  try {
    cred = await navigator.credentials.create(options)
  } catch (err) {
    throw browserProblem(err)
  }
  if (!cred) {
    throw new Problem('The passkey request was cancelled. Try again')
  }
  return post(button.dataset.passkeyFinish, { name, credential: credentialJSON(cred) })
}

async function login (button) {
  const options = requestOptions(await post(button.dataset.passkeyBegin))
  let cred
  try {
    cred = await navigator.credentials.get(options)
  } catch (err) {
    throw browserProblem(err)
  }
  if (!cred) {
    throw new Problem('The passkey request was cancelled. Try again')
  }
  return post(button.dataset.passkeyFinish, credentialJSON(cred))
}

const ceremonies = { register, login }

function start () {
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return
  }
  for (const el of document.querySelectorAll('[data-passkey-unsupported]')) {
    el.hidden = true
  }
  for (const el of document.querySelectorAll('[data-passkey-controls]')) {
    el.hidden = false
  }
  for (const button of document.querySelectorAll('button[data-passkey-action]')) {
    const run = ceremonies[button.dataset.passkeyAction]
    if (!run) {
      continue
    }
    button.addEventListener('click', async () => {
      if (button.disabled) {
        return
      }
      button.disabled = true
      button.setAttribute('aria-disabled', 'true')
      clearProblem()
      try {
        const done = await run(button)
        window.location.assign(done.redirect || '/')
      } catch (err) {
        showProblem(err instanceof Problem ? err : new Problem(genericFailure))
        button.disabled = false
        button.removeAttribute('aria-disabled')
      }
    })
  }
}

start()
