"""Following feeds: RSS, Atom and JSON Feed documents → ``Article``s, fetched politely.

Modules, pure ones first (imports flow down this list)::

    model      records: FeedSettings, FeedEntry, ParsedFeed, FetchResult, Validators
    errors     FeedFormatError, OpmlFormatError, AddressRefused (under NewsbotError)
    text       entry HTML → clean text paragraphs; titles → plain text
    address    canonical URLs, the private-address rule
    entry      one entry (any format) → FeedEntry: ids, dates, tags, source
    jsonfeed   JSON Feed 1.1 reader (feedparser does not read it)
    parsing    parse_feed(bytes, url, headers, settings) → ParsedFeed
    backoff    next_poll(): interval, exponential backoff, Retry-After
    opml       OPML import and export
    duplicate  near-duplicate story signatures and grouping (MinHash LSH)
    fetch      Fetcher: async httpx GETs within limits, outcomes as data   (network)
    fulltext   teaser → page main text via Fetcher + trafilatura          (network)
    poll       poll_feed(): fetch → parse → full text → next FeedState, alerts  (network)
    poller     poll_feeds(): the due feeds at once through one Fetcher, saved by the service
    alerts     send_feed_alerts(): failing / recovered feeds to the admins     (Telegram)
    job        FeedPolling: the running bot's polling job, /pollnow, /addfeed  (Telegram)

Only ``poller`` and ``job`` touch the service; only ``alerts`` and ``job`` touch Telegram.
"""
