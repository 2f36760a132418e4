"""Bad watchlists that `run` or `serve` reject or misread, each problem marked where it must be reported.

A marker `# ! FIELD: TEXT` on a line says: `check` (and the loader) report FIELD at this line, with
TEXT in the message. Several markers may share a line. Every case must be reported whole, in one
pass, and nothing else may be reported. `ENVIRONMENT` cases are right as files but wrong on a machine
without their secrets: `check` reports them, the loader (which has no say over the machine) does not.
"""

from __future__ import annotations

FILE_CASES: dict[str, str] = {
    # A typo'd zone is refused by the service only when it schedules a cron watch or the report.
    "time zones": """
settings:
  timezone: Asia/Shanghia   # ! settings.timezone: did you mean "Asia/Shanghai"
channels:
  - name: ops
    url: json://127.0.0.1:9/hook
    quiet_hours:
      start: "22:00"
      end: "07:00"
      timezone: Europe/Londn   # ! channels[0].quiet_hours.timezone: did you mean "Europe/London"
report:
  timezone: Mars/Olympus   # ! report.timezone: use an IANA name
""",
    # serve stops on the first of these (validate_crons); `0 0 31 2 *` would raise while scheduling.
    "cron expressions": """
products:
  - url: https://a.example/p/1
    cron: "0 25 * * *"   # ! products[0].cron: higher than the maximum value (23)
listings:
  - url: https://a.example/c/1
    cron: "*/5 * * *"   # ! listings[0].cron: Wrong number of fields
pages:
  - url: https://a.example/pricing
    interval: 6h
    cron: "0 8 * * *"   # ! pages[0].cron: either interval or cron
keywords:
  - name: kw
    keywords: [usb hub]
    domains: [ours.example]
    cron: "0 0 31 2 *"   # ! keywords[0].cron: never fires
""",
    # Chromium runs these: cssselect's :contains() and != pass cssselect but make the step wait in vain.
    "browser selectors": """
products:
  - url: https://a.example/p/1
    render: browser
    wait_for: "span:contains('Price')"   # ! products[0].wait_for: :contains() is not CSS
    actions:
      - click: "button["   # ! products[0].actions[0].click: bad CSS selector
      - wait: 2m   # ! products[0].actions[1].wait: at most 60s
listings:
  - url: https://a.example/c/1
    wait_for: .card   # ! listings[0].wait_for: needs render: browser
  - url: https://a.example/c/2
    render: browser
    load_more: "a.more[rel!=x]"   # ! listings[1].load_more: != is not CSS
keywords:
  - name: kw
    keywords: [usb hub]
    domains: [ours.example]
    access:
      google:
        render: browser
        wait_for: "#rso >> div"   # ! keywords[0].access.google.wait_for: bad CSS selector
""",
    # Selectors the extractors apply with lxml: a typo would be "no price found" every night.
    "selectors and filters": """
products:
  - url: https://a.example/p/1
    selectors:   # ! products[0].selectors: price:
      price: "//span[@class="
listings:
  - url: https://a.example/c/1
    selectors: {card: "li..card"}   # ! listings[0].selectors.card: bad CSS selector
pages:
  - url: https://a.example/pricing
    css: "main[class"   # ! pages[0].css: bad CSS selector
    xpath: "//div[@id="   # ! pages[0].xpath: bad XPath
    regex: "(unclosed"   # ! pages[0].regex: bad regular expression
sites:
  - url: https://a.example/
    exclude: ["re:("]   # ! sites[0].exclude: bad regular expression
""",
    # `run` raised a traceback at sync time (tracked_domains) for the first two.
    "keyword groups": """
competitors:
  - name: Alpha
    domains: [alpha.example]
  - name: Beta
keywords:
  - name: kw
    keywords: [usb hub, usb c hub]
    engines: [google, gogle]   # ! keywords[0].engines[1]: did you mean "google"
    devices: [desktop, mobil]   # ! keywords[0].devices[1]: did you mean "mobile"
    competitors: [Alpah, Beta, gamma.example]   # ! keywords[0].competitors[0]: did you mean "Alpha" # ! keywords[0].competitors[1]: has no domains
    weights: {usb hubs: 1200}   # ! keywords[0].weights["usb hubs"]: did you mean "usb hub"
  - name: lonely   # ! keywords[1]: tracks no domain
    keywords: [lamp]
  - name: engines
    keywords: [lamp]
    domains: [ours.example]
    engines: [bing]
    access:   # ! keywords[2].access: which the group does not search
      google: {min_delay: 20}
""",
    # Rules that never fire, or fire to nobody, with the closest right name.
    "rules": """
products:
  - url: https://a.example/p/1
    tags: [tier1]
channels:
  - name: ops-mail
    url: json://127.0.0.1:9/hook
    tags: [ops]
rules:
  - name: drop
    when: price_drp   # ! rules[0].when: did you mean "price_drop"
    channels: [ops-mial]   # ! rules[0].channels[0]: did you mean "ops-mail"
  - name: stock
    when: out_of_stock
    severity: critcal   # ! rules[1].severity: did you mean "critical"
    channel_tags: [opps]   # ! rules[1].channel_tags[0]: did you mean "ops"
    tags: [tier2]   # ! rules[1].tags[0]: did you mean "tier1"
  - name: picky
    when: price_drop
    kinds: [price_dwn, out_of_stock]   # ! rules[2].kinds[0]: did you mean "price_down" # ! rules[2].kinds[1]: never matches out_of_stock
    watch_kinds: [listing]   # ! rules[2].watch_kinds: product watches only
    competitors: [a.exmple]   # ! rules[2].competitors[0]: did you mean "a.example"
  - name: odd   # ! rules[3]: needs min_anomaly
    when: anomaly
""",
    # The report and channel filters: an unknown competitor made the report raise; a typo'd channel never got it.
    "channels and report": """
competitors:
  - name: Alpha
    domains: [alpha.example]
channels:
  - name: ops
    url: json://127.0.0.1:9/hook
    mode: digets   # ! channels[0].mode: did you mean "digest"
    competitors: [Alhpa]   # ! channels[0].competitors[0]: did you mean "Alpha"
    watch_kinds: [prodcut]   # ! channels[0].watch_kinds[0]: did you mean "product"
report:
  day: monday   # ! report.day: did you mean "mon"
  time: "25:00"   # ! report.time: not a time of day
  formats: [html, pdf]   # ! report.formats[1]: one of: html, md, csv, json
  channels: [opz]   # ! report.channels[0]: did you mean "ops"
  competitors: [Alpa]   # ! report.competitors[0]: did you mean "Alpha"
""",
    # Names and URLs are identities: the second one is reported, with the line of the first.
    "duplicates": """
competitors:
  - name: Alpha
    domains: [alpha.example]
  - name: Alpha   # ! competitors[1].name: given twice: Alpha (first at line 3)
  - name: Beta
    domains: [alpha.example]   # ! competitors[2].domains[0]: already belongs to competitor 'Alpha'
products:
  - url: https://alpha.example/p/1
  - url: https://alpha.example/p/1   # ! products[1].url: watched twice
channels:
  - {name: ops, url: "json://127.0.0.1:9/a"}
  - {name: ops, url: "json://127.0.0.1:9/b"}   # ! channels[1].name: channel name given twice
rules:
  - {name: r, when: price_drop}
  - {name: r, when: price_rise}   # ! rules[1].name: rule name given twice
keywords:
  - {name: kw, keywords: [a], domains: [ours.example]}
  - {name: kw, keywords: [b], domains: [ours.example]}   # ! keywords[1].name: keyword group name given twice
""",
    # Settings `run` would stop on only once it opens the store or starts crawling.
    "settings": """
settings:
  database_url: "mysql://db.example/rivalwatch"   # ! settings.database_url: SQLite or PostgreSQL, not mysql
  concurrency_per_domain: 0   # ! settings.concurrency_per_domain: greater than or equal to 1
  default_interval: 6 hours   # ! settings.default_interval: not a duration
""",
    # Unknown keys anywhere, with the key meant.
    "unknown keys": """
setting:   # ! setting: did you mean "settings"
  timezone: UTC
products:
  - url: https://a.example/p/1
    selecters: {price: .p}   # ! products[0].selecters: did you mean "selectors"
    selectors: {prce: .p}   # ! products[0].selectors.prce: did you mean "price"
listings:
  - url: https://a.example/c/1
    max_page: 3   # ! listings[0].max_page: did you mean "max_pages"
channels:
  - name: ops
    url: json://127.0.0.1:9/hook
    quiet_hour: {start: "22:00", end: "07:00"}   # ! channels[0].quiet_hour: did you mean "quiet_hours"
""",
    # A watch naming a competitor that is not configured.
    "watch competitors": """
competitors:
  - name: Alpha Shop
    domains: [alpha.example]
products:
  - url: https://alpha.example/p/1
    competitor: Alpha shop   # ! products[0].competitor: did you mean "Alpha Shop"
sites:
  - url: https://alpha.example/
    competitor: Gamma   # ! sites[0].competitor: unknown competitor 'Gamma'
""",
    # The issue's own examples in one file: every one in one pass, the channel at its rule's line.
    "many errors in one file": """
settings:
  timezone: Asia/Shanghia   # ! settings.timezone: did you mean "Asia/Shanghai"
competitors:
  - name: Alpha
    domains: [alpha.example]
products:
  - url: https://alpha.example/p/1
    cron: "0 25 * * *"   # ! products[0].cron: not a cron expression
  - url: https://alpha.example/p/2
    render: browser
    wait_for: "div.price["   # ! products[1].wait_for: bad CSS selector
keywords:
  - name: kw
    keywords: [usb hub]
    competitors: [Alpah]   # ! keywords[0].competitors[0]: neither a configured competitor nor a domain
channels:
  - name: ops
    url: json://127.0.0.1:9/hook
rules:
  - name: drop
    when: price_drop
    channels: [opps]   # ! rules[0].channels[0]: unknown channel 'opps'
""",
    # Field errors and cross-entry errors together: entries with a bad field still take part in the
    # cross checks (their other keys), and a reference to a broken entry is not reported twice.
    "field and cross errors together": """
competitors:
  - name: Alpha
    domains: [alpha.example]
    robots: obeys   # ! competitors[0].robots: did you mean "obey"
products:
  - url: https://alpha.example/p/1
    interval: 5x   # ! products[0].interval: not a duration
  - url: https://alpha.example/p/1   # ! products[1].url: watched twice
    competitor: Alpah   # ! products[1].competitor: did you mean "Alpha"
channels:
  - name: ops
    url: json://127.0.0.1:9/hook
    min_severity: loud   # ! channels[0].min_severity: one of: info, warning, critical
rules:
  - name: drop
    when: price_drop
    threshold_pct: -5   # ! rules[0].threshold_pct: greater than or equal to 0
    channels: [ops, opz]   # ! rules[0].channels[1]: did you mean "ops"
""",
    # Limits the crawl or the scheduler cannot keep (zero pages, a negative retry count), and values
    # of the wrong type: each at its key, all of them in one pass.
    "limits and wrong types": """
settings:
  retries: -1   # ! settings.retries: greater than or equal to 0
  download_timeout: 0s   # ! settings.download_timeout: must be positive
  gone_after: 0   # ! settings.gone_after: greater than or equal to 1
products:
  - url: https://a.example/p/1
    interval: -5m   # ! products[0].interval: not a duration
    screenshot: perhaps   # ! products[0].screenshot: valid boolean
    our_price: cheap   # ! products[0].our_price: valid decimal
  - url: a.example/p/2   # ! products[1].url: only http and https URLs
listings:
  - url: https://a.example/c/1
    max_pages: 0   # ! listings[0].max_pages: greater than or equal to 1
    scroll: -2   # ! listings[0].scroll: greater than or equal to 0
sites:
  - url: https://a.example/
    max_depth: -1   # ! sites[0].max_depth: greater than or equal to 0
keywords:
  - name: kw
    keywords: [usb hub]
    domains: [ours.example]
    depth: 0   # ! keywords[0].depth: greater than or equal to 1
    access:
      google: {concurrency: 0, random_delay: 2}   # ! keywords[0].access.google.concurrency: greater than or equal to 1 # ! keywords[0].access.google.random_delay: less than or equal to 1
channels:
  - name: ops
    url: json://127.0.0.1:9/hook
    max_attempts: 0   # ! channels[0].max_attempts: greater than or equal to 1
    locale: zh   # ! channels[0].locale: one of: en, zh-CN
""",
    # The page filter's JSONPath, jq and re.sub were checked together after the other keys, at the
    # entry's line, first error only: a second round showed the next. Each at its own key now.
    "page filters": """
pages:
  - url: https://a.example/pricing
    re.sub: [{pattern: "(x", repl: y}]   # ! pages[0]["re.sub"][0].pattern: bad regular expression
    json: "$.[["   # ! pages[0].json: bad JSONPath
    remove: ["div["]   # ! pages[0].remove: bad CSS selector
  - url: https://a.example/pricing   # ! pages[1].url: watched twice
  - url: https://a.example/feed
    jq: ".[ | foo"   # ! pages[2].jq: bad jq program
    ignore: ["/(/"]   # ! pages[2].ignore: bad regular expression
    sort: up   # ! pages[2].sort: one of: asc, desc
""",
    # Hosts a watch is matched by, and what the engines are asked: a URL as a domain matched no watch,
    # `USA` sent Yahoo to usa.search.yahoo.com, a proxy without a host failed every check.
    "domains, locales and proxies": """
competitors:
  - name: Alpha
    domains: [https://alpha.example/shop]   # ! competitors[0].domains[0]: did you mean "alpha.example"
  - name: Beta
    domains: [beta.example, "127.0.0.1:8081"]
keywords:
  - name: kw
    keywords: [usb hub]
    domains: [ours.example/en]   # ! keywords[0].domains[0]: did you mean "ours.example"
    locales:
      - {country: USA, language: english}   # ! keywords[0].locales[0].country: two-letter ISO 3166 code # ! keywords[0].locales[0].language: a code like en
      - {country: de, language: de-DE}
    access:
      google:
        proxies: ["proxy.example:8080", "http://", "http://u:${PROXY_PW}@proxy.example:8080"]   # ! keywords[0].access.google.proxies[0]: not 'proxy.example:8080' # ! keywords[0].access.google.proxies[1]: not 'http://'
      bing:   # ! keywords[0].access.bing: proxies are not used with render: browser
        render: browser
        proxies: ["http://proxy.example:8080"]
    engines: [google, bing]
""",
    # Our catalogue: a wrong product no longer hides the others from the checks across them.
    "catalogue": """
products:
  - url: https://alpha.example/p/1
catalogue:
  match: {auto_accept: 0.5, propose: 0.8}   # ! catalogue.match: propose must not be above auto_accept
  products:
    - {sku: A1, name: Lamp, gtin: "4006381333932"}   # ! catalogue.products[0].gtin: not a valid GTIN
    - {sku: A1, name: Lamp 2, currency: EURO}   # ! catalogue.products[1].currency: not an ISO 4217 # ! catalogue.products[1].sku: SKU given twice
    - {sku: A2, name: Lamp 3, watches: [https://alpha.example/p/2]}   # ! catalogue.products[2].watches[0]: not a product watch
    - {sku: A3, name: Lamp 4, watches: [https://alpha.example/p/1]}
""",
    # YAML keeps the last of two equal keys without a word: a second `products:` dropped the first's watches.
    "keys given twice": """
products:
  - url: https://a.example/p/1
    interval: 1h
    interval: 6h   # ! products[0].interval: key given twice
channels:
  - name: ops
    url: json://127.0.0.1:9/hook
products:   # ! products: first at line 2
  - url: https://a.example/p/3
""",
}

ENVIRONMENT_CASES: dict[str, str] = {
    "secrets and Apprise URLs": """
channels:
  - name: mail
    url: "mailto://u:${SMTP_PW}@x.example"   # ! channels[0].url: environment variable SMTP_PW is not set
  - name: broken
    url: "nosuchscheme://abc"   # ! channels[1].url: nosuchscheme
keywords:
  - {name: kw, keywords: [usb hub], domains: [ours.example], access: {google: {proxies: [
      "http://u:${PROXY_PW}@proxy.example:8080"]}}}   # ! keywords[0].access.google.proxies[0]: PROXY_PW is not set
""",
    "missing secrets file": """
settings:
  secrets_file: /nonexistent/secrets.env   # ! settings.secrets_file: cannot read the secrets file
""",
    # The service logs a failed import at every run and compares against nothing.
    "catalogue files": """
catalogue:
  rates: {file: /nonexistent/rates.xml}   # ! catalogue.rates.file: cannot read /nonexistent/rates.xml
  imports:
    - {name: feed, file: /nonexistent/feed.csv}   # ! catalogue.imports[0].file: No such file or directory
    - {name: web, url: "https://ours.example/feed.xml"}
""",
}
