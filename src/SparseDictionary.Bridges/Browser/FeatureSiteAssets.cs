namespace SparseDictionary.Bridges.Browser;

/// <summary>
/// The two pages of the feature browser, with their CSS and JavaScript inline. They read their data from script files in
/// <c>data/</c> (set as globals), since a page opened from <c>file://</c> may not <c>fetch()</c> local files.
/// </summary>
internal static class FeatureSiteAssets
{
    private const string Style = """
        <style>
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 1100px; padding: 12px 20px; color: #222; }
        h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 16px; margin: 18px 0 6px; }
        .meta { color: #666; } a { color: #1458b0; text-decoration: none; } a:hover { text-decoration: underline; }
        .controls { margin: 10px 0; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
        input[type=search], input[type=number] { font: inherit; padding: 3px 6px; }
        table { border-collapse: collapse; } th, td { padding: 2px 8px; text-align: left; vertical-align: top; border-bottom: 1px solid #eee; }
        th { cursor: pointer; background: #f6f6f6; position: sticky; top: 0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .chip { display: inline-block; background: #f1f1f1; border-radius: 3px; padding: 0 4px; margin: 1px 2px; font-family: ui-monospace, monospace; font-size: 12px; white-space: pre; }
        .ex { display: flex; gap: 10px; padding: 3px 0; border-bottom: 1px solid #f0f0f0; }
        .ex .act { width: 64px; flex: none; text-align: right; color: #555; font-variant-numeric: tabular-nums; }
        .ctx { font-family: ui-monospace, monospace; font-size: 13px; white-space: pre-wrap; word-break: break-all; }
        .tok { border-radius: 2px; } .tok.focus { outline: 1.5px solid #b33; }
        .cols { display: flex; gap: 32px; flex-wrap: wrap; align-items: flex-start; } .pos { color: #0a6b2c; } .neg { color: #a31d1d; }
        svg text { font-size: 11px; fill: #555; } .bar { fill: #e8743b; }
        </style>
        """;

    /// <summary>The index: every latent, sortable, searchable by token.</summary>
    public const string IndexHtml = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Feature browser</title>
        """ + Style + """
        <script src="data/index.js"></script>
        </head><body>
        <h1 id="title">Feature browser</h1>
        <p class="meta" id="meta"></p>
        <div class="controls">
          <input type="search" id="search" placeholder="token (top activations or promoted logits)" size="36">
          <label>sort by <select id="sort"><option value="freq">firing frequency</option><option value="max">max activation</option><option value="id">latent</option></select></label>
          <label><input type="checkbox" id="dead"> show latents that never fired</label>
          <label>go to latent <input type="number" id="goto" min="0" style="width:80px"></label>
          <span class="meta" id="count"></span>
        </div>
        <table id="latents"><thead><tr><th data-sort="id">latent</th><th data-sort="freq">frequency</th><th data-sort="max">max act.</th><th>top activating tokens</th><th>promotes (logit lens)</th></tr></thead><tbody></tbody></table>
        <p><button id="more">show more</button></p>
        <script>
        (function () {
          var D = window.SDICT_INDEX, PAGE = 300, shown = PAGE, rows = [];
          var $ = function (id) { return document.getElementById(id); };
          $('title').textContent = D.title;
          $('meta').textContent = D.hook + ' · ' + D.dSae + ' latents · ' + D.alive + ' fired · statistics over ' + D.tokens.toLocaleString('en') + ' tokens';
          function fmt(x) { return x === 0 ? '0' : (x < 1e-3 ? x.toExponential(1) : x.toPrecision(3)); }
          function chips(td, list) { list.forEach(function (t) { var s = document.createElement('span'); s.className = 'chip'; s.textContent = t; td.appendChild(s); }); }
          function compute() {
            var q = $('search').value.trim().toLowerCase(), key = $('sort').value, dead = $('dead').checked;
            rows = [];
            for (var i = 0; i < D.dSae; i++) {
              if (!dead && D.freq[i] === 0) continue;
              if (q && !D.act[i].some(function (t) { return t.toLowerCase().indexOf(q) >= 0; }) && !D.up[i].some(function (t) { return t.toLowerCase().indexOf(q) >= 0; })) continue;
              rows.push(i);
            }
            if (key === 'freq') rows.sort(function (a, b) { return D.freq[b] - D.freq[a]; });
            else if (key === 'max') rows.sort(function (a, b) { return D.max[b] - D.max[a]; });
            shown = PAGE; render();
          }
          function render() {
            var body = document.querySelector('#latents tbody'), frag = document.createDocumentFragment();
            body.textContent = '';
            rows.slice(0, shown).forEach(function (i) {
              var tr = document.createElement('tr'), td = document.createElement('td'), a = document.createElement('a');
              a.href = 'latent.html#' + i; a.textContent = i; td.appendChild(a); tr.appendChild(td);
              [D.freq[i], D.max[i]].forEach(function (v) { var c = document.createElement('td'); c.className = 'num'; c.textContent = fmt(v); tr.appendChild(c); });
              var act = document.createElement('td'); chips(act, D.act[i]); tr.appendChild(act);
              var up = document.createElement('td'); chips(up, D.up[i]); tr.appendChild(up);
              frag.appendChild(tr);
            });
            body.appendChild(frag);
            $('count').textContent = Math.min(shown, rows.length) + ' of ' + rows.length + ' shown';
            $('more').style.display = rows.length > shown ? '' : 'none';
          }
          $('search').addEventListener('input', compute);
          $('sort').addEventListener('change', compute);
          $('dead').addEventListener('change', compute);
          $('more').addEventListener('click', function () { shown += PAGE; render(); });
          $('goto').addEventListener('change', function () { var v = parseInt(this.value, 10); if (v >= 0 && v < D.dSae) location.href = 'latent.html#' + v; });
          document.querySelectorAll('th[data-sort]').forEach(function (th) { th.addEventListener('click', function () { $('sort').value = th.getAttribute('data-sort'); compute(); }); });
          compute();
        })();
        </script>
        </body></html>
        """;

    /// <summary>One latent's page; the latent is the URL's fragment (<c>latent.html#123</c>), and only its chunk of data is loaded.</summary>
    public const string LatentHtml = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Latent</title>
        """ + Style + """
        <script src="data/meta.js"></script>
        <script src="data/vocab.js"></script>
        <script>
        var SDICT_LATENT = Math.max(0, Math.min(window.SDICT_META.dSae - 1, parseInt(location.hash.slice(1), 10) || 0));
        (function () {
          var c = String(Math.floor(SDICT_LATENT / window.SDICT_META.chunk));
          while (c.length < 5) c = '0' + c;
          document.write('<script src="data/latents-' + c + '.js"><\/script>');
        })();
        window.addEventListener('hashchange', function () { location.reload(); });
        </script>
        </head><body>
        <p><a href="index.html">← all latents</a> · <a id="prev">← previous</a> · <a id="next">next →</a></p>
        <h1 id="title">Latent</h1>
        <p class="meta" id="stats"></p>
        <div class="cols">
        <div><h2>Activation histogram <span class="meta">(positive activations, log-spaced bins)</span></h2>
        <div id="histogram"></div></div>
        <div><h2>Logit effects <span class="meta" title="decoder direction · final-norm gain · unembedding: the direct effect on the next-token logits">(direct path to the logits)</span></h2>
        <div class="cols"><table id="promoted"><thead><tr><th>promotes</th><th></th></tr></thead><tbody></tbody></table>
        <table id="suppressed"><thead><tr><th>suppresses</th><th></th></tr></thead><tbody></tbody></table></div></div>
        </div>
        <h2>Top activations <span class="meta">(tokens shaded by the latent's activation; the outlined token is the example)</span></h2>
        <div id="examples"></div>
        <script>
        (function () {
          var D = window.SDICT_META, V = window.SDICT_VOCAB, C = window.SDICT_CHUNK, L = SDICT_LATENT;
          var F = C.latents[L - C.start];
          var $ = function (id) { return document.getElementById(id); };
          function fmt(x) { return x === 0 ? '0' : (Math.abs(x) < 1e-3 ? x.toExponential(1) : x.toPrecision(3)); }
          function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
          document.title = 'Latent ' + L + ' · ' + D.title;
          $('title').textContent = 'Latent ' + L;
          $('prev').href = 'latent.html#' + Math.max(0, L - 1);
          $('next').href = 'latent.html#' + Math.min(D.dSae - 1, L + 1);
          $('stats').textContent = D.hook + ' · fires on ' + F.fires.toLocaleString('en') + ' of ' + D.tokens.toLocaleString('en') + ' tokens (' + fmt(100 * F.freq) + '%) · max ' + fmt(F.max) + ' · mean when firing ' + fmt(F.meanf) + ' · mean ' + fmt(F.mean);
          // Histogram as an SVG bar chart.
          var h = $('histogram');
          if (F.hist.length === 0) { h.textContent = 'This latent never fired on the held-out text.'; }
          else {
            var W = 420, H = 150, n = F.hist.length, top = Math.max.apply(null, F.hist), bw = W / n, ns = 'http://www.w3.org/2000/svg';
            var svg = document.createElementNS(ns, 'svg'); svg.setAttribute('width', W + 60); svg.setAttribute('height', H + 24);
            F.hist.forEach(function (v, i) {
              var r = document.createElementNS(ns, 'rect'), bh = v === 0 ? 0 : Math.max(1, H * v / top);
              r.setAttribute('x', 30 + i * bw); r.setAttribute('y', H - bh); r.setAttribute('width', Math.max(1, bw - 1)); r.setAttribute('height', bh); r.setAttribute('class', 'bar');
              var t = document.createElementNS(ns, 'title'); t.textContent = fmt(D.edges[F.histStart + i]) + ' – ' + fmt(D.edges[F.histStart + i + 1]) + ': ' + v; r.appendChild(t);
              svg.appendChild(r);
            });
            [[0, F.histStart], [W, F.histStart + n]].forEach(function (p) {
              var t = document.createElementNS(ns, 'text'); t.setAttribute('x', 30 + p[0]); t.setAttribute('y', H + 16); t.setAttribute('text-anchor', 'middle'); t.textContent = fmt(D.edges[p[1]]); svg.appendChild(t);
            });
            var m = document.createElementNS(ns, 'text'); m.setAttribute('x', 0); m.setAttribute('y', 10); m.textContent = top; svg.appendChild(m);
            h.appendChild(svg);
          }
          // Examples: each token shaded by activation / the latent's max.
          var ex = $('examples'), scale = F.ex.length ? F.ex[0][0] : 1;
          if (F.ex.length === 0) ex.textContent = 'No examples.';
          F.ex.forEach(function (e) {
            var row = el('div', 'ex'), ctx = el('span', 'ctx');
            row.appendChild(el('span', 'act', fmt(e[0])));
            e[4].forEach(function (tok, i) {
              var a = e[5][i], s = el('span', 'tok' + (i === e[3] ? ' focus' : ''), V[tok]);
              var alpha = Math.max(0, Math.min(1, a / scale));
              s.title = 'token ' + tok + ': ' + fmt(a);
              s.setAttribute('data-act', a);
              if (a > 0) { s.style.backgroundColor = 'rgba(232, 116, 59, ' + alpha.toFixed(3) + ')'; s.setAttribute('data-shade', alpha.toFixed(3)); }
              ctx.appendChild(s);
            });
            row.appendChild(ctx);
            ex.appendChild(row);
          });
          function table(id, list, cls) {
            var body = document.querySelector('#' + id + ' tbody');
            list.forEach(function (p) {
              var tr = el('tr'), td = el('td'); td.appendChild(el('span', 'chip', V[p[0]])); tr.appendChild(td);
              tr.appendChild(el('td', 'num ' + cls, (p[1] > 0 ? '+' : '') + fmt(p[1]))); body.appendChild(tr);
            });
          }
          table('promoted', F.up, 'pos');
          table('suppressed', F.down, 'neg');
        })();
        </script>
        </body></html>
        """;
}
