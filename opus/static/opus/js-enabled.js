// GOV.UK Frontend styles some components differently once JavaScript runs.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
