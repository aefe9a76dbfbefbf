/*
 * The complaint form's organisation list as suggestions while the complainant types (issue 13
 * item 6), with GOV.UK's accessible-autocomplete. A progressive enhancement: without JavaScript,
 * or if anything here is missing, the plain <select> stays as it is and the form works the same.
 *
 * Suggestions come from the public directory endpoint, GET /v1/organisations?q= (official names
 * and their aliases, so "LTHT" finds Leeds Teaching Hospitals), restricted to the entries the
 * <select> lists; if that request fails the names in the <select> are matched here instead.
 * "It is not in this list" is always the last suggestion, so it can be chosen from the keyboard,
 * and text that names no entry leaves it chosen: the form then goes on the name typed above.
 * The visible and announced texts come, translated, from this script tag's data- attributes.
 */
(function () {
  'use strict'

  var script = document.currentScript
  var select = document.getElementById('organisation-id')
  var enhance = window.accessibleAutocomplete && window.accessibleAutocomplete.enhanceSelectElement
  if (!script || !select || select.tagName !== 'SELECT' || !enhance || !select.options.length) {
    return
  }
  var text = script.dataset
  // The endpoint refuses longer queries (organisation_api.MAX_QUERY_LENGTH); no name is longer.
  var MAX_QUERY_LENGTH = 200
  // One letter starts too many names to help; two narrow the seed directory to a handful.
  var MIN_QUERY_LENGTH = 2
  var notListed = select.options[0]
  var listed = [].slice.call(select.options, 1)
  var byId = {}
  listed.forEach(function (option) { byId[option.value] = option })
  var latest = 0

  function words (value) {
    return value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
      .split(/[^a-z0-9]+/).filter(Boolean)
  }

  // Every typed word starts a word of the name, as the endpoint matches.
  function matchesHere (query) {
    var wanted = words(query)
    return listed.filter(function (option) {
      var have = words(option.textContent)
      return wanted.every(function (word) {
        return have.some(function (candidate) { return candidate.indexOf(word) === 0 })
      })
    }).map(function (option) { return option.textContent })
  }

  function fromEndpoint (body) {
    return body.organisations.filter(function (entry) { return byId[entry.id] })
      .map(function (entry) { return byId[entry.id].textContent })
  }

  function source (query, populate) {
    var asked = ++latest
    function answer (names) {
      // A slower, older answer must not replace the one for what is typed now.
      if (asked === latest) populate(names.concat([notListed.textContent]))
    }
    if (!window.fetch) return answer(matchesHere(query))
    var url = '/v1/organisations?q=' + encodeURIComponent(query.slice(0, MAX_QUERY_LENGTH))
    window.fetch(url, { headers: { Accept: 'application/json' }, credentials: 'omit' })
      .then(function (response) {
        if (!response.ok) throw new Error('suggestions unavailable')
        return response.json()
      })
      .then(function (body) { answer(fromEndpoint(body)) })
      .catch(function () { answer(matchesHere(query)) })
  }

  function choose (chosen) {
    // Leaving the field without picking a suggestion confirms nothing: keep what is shown if it
    // is an entry's name, otherwise "It is not in this list".
    var name = chosen === undefined ? (document.getElementById('organisation-id') || {}).value : chosen
    var found = listed.filter(function (option) { return option.textContent === name })[0]
    ;(found || notListed).selected = true
  }

  function fill (template, values) {
    return template.replace(/\{([a-z_]+)\}/g, function (whole, key) {
      return values[key] === undefined ? whole : values[key]
    })
  }

  var stylesheet = document.createElement('link')
  stylesheet.rel = 'stylesheet'
  stylesheet.href = text.stylesheet
  document.head.appendChild(stylesheet)

  enhance({
    selectElement: select,
    source: source,
    onConfirm: choose,
    defaultValue: select.value ? select.options[select.selectedIndex].textContent : '',
    minLength: MIN_QUERY_LENGTH,
    // No first-suggestion preselection: its type-ahead hint is an unlabelled <input> (axe's
    // "label" rule), and a complainant should choose an entry, not get one by leaving the field.
    autoselect: false,
    // The list's error styling (a red border when the form came back with an error for it).
    inputClasses: select.className || null,
    // "It is not in this list" is always offered, so there is never a "no results" message.
    displayMenu: 'overlay',
    tAssistiveHint: function () { return text.assistiveHint },
    tStatusQueryTooShort: function (length) { return fill(text.queryTooShort, { count: length }) },
    tStatusSelectedOption: function (option, length, index) {
      return fill(text.selectedOption, { option: option, position: index + 1, count: length })
    },
    tStatusResults: function (length, selected) {
      return fill(length === 1 ? text.oneResult : text.results, { count: length }) + ' ' + selected
    }
  })

  // The widget does not manage aria-invalid, so it keeps what the list said about an error.
  var input = document.getElementById('organisation-id')
  if (input && select.getAttribute('aria-invalid')) {
    input.setAttribute('aria-invalid', select.getAttribute('aria-invalid'))
  }
})()
