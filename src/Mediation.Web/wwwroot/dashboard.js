// The live escalation feed: the server pushes each new escalation (server-sent events); no reload, no library.
(function () {
  var feed = document.getElementById('feed');
  var status = document.getElementById('feed-status');
  if (!feed || !window.EventSource) return;
  var source = new EventSource('/api/feed/escalations?after=' + (feed.dataset.after || '0'));
  source.onopen = function () { status.textContent = '●'; };
  source.onerror = function () { status.textContent = '○'; };
  source.onmessage = function (message) {
    var e = JSON.parse(message.data);
    if (feed.querySelector('[data-event="' + e.eventId + '"]')) return;
    var li = document.createElement('li');
    li.dataset.event = e.eventId;
    var time = document.createElement('span');
    time.className = 'muted';
    // Times travel in UTC; the office reads China time (UTC+8, no daylight saving).
    var china = new Date(Date.parse(e.at) + 8 * 3600 * 1000).toISOString();
    time.textContent = china.substring(5, 16).replace('T', ' ') + ' ';
    var link = document.createElement('a');
    link.href = '/cases/' + e.caseId;
    link.textContent = e.caseNumber;
    li.appendChild(time);
    li.appendChild(link);
    li.appendChild(document.createTextNode(' ' + e.summary + ' → ' + e.unitName));
    feed.insertBefore(li, feed.firstChild);
  };
})();
