"""Pages an engine serves instead of results, told apart whatever the engine and language:
block pages (captchas, "unusual traffic", access denied, a bare HTTP 403) and consent walls
(cookie and privacy dialogs that must be accepted first).

Every engine's spec lists its own markers too (`EngineSpec.blocked`, `EngineSpec.consent`);
these are what block and consent pages of any engine say, in the languages the engines serve.
They are only read on pages where no result was found: a result snippet about captchas is not a
block. A consent wall is not a block: the engine did not refuse us, it asks a question, and the
fix (a consent cookie) is not a backoff.
"""

from __future__ import annotations

import re

# HTTP statuses engines answer a refused client with. 503 is Google's "sorry" page status too.
BLOCK_STATUSES = frozenset({401, 403, 429, 503})

_BLOCK_PHRASES = (
    # "unusual traffic from your computer network"
    "unusual traffic", "ungewöhnlichen datenverkehr", "trafic exceptionnel", "tráfico inusual",
    "traffico insolito", "tráfego incomum", "tráfego invulgar", "ongebruikelijk verkeer",
    "nietypowy ruch", "необычный трафик", "olağan dışı trafik", "neobvyklý provoz",
    "szokatlan forgalmat", "異常なトラフィック", "异常流量", "異常流量", "비정상적인 트래픽",
    # "are you a robot", "I'm not a robot"
    "not a robot", "are you a robot", "are you a human", "robot check", "verify you are human",
    "verify you're human", "prove you're human", "kein roboter", "pas un robot", "no soy un robot",
    "non sono un robot", "não sou um robô", "geen robot", "nie jestem robotem", "не робот",
    "ロボットではありません", "로봇이 아닙니다", "人机验证", "安全验证", "请输入验证码",
    # "your computer or network may be sending automated queries"
    "automated queries", "automated requests", "automatisierte anfragen", "requêtes automatisées",
    "consultas automatizadas", "query automatiche", "richieste automatiche", "consultas automáticas",
    "geautomatiseerde zoekopdrachten", "zautomatyzowane zapytania", "автоматические запросы",
    "похожи на автоматические", "自動送信されたもの", "自动程序", "异常访问", "異常存取",
    "nicht von einem robot",
    # rate limits and the bot walls of CDNs in front of a site
    "too many requests", "rate limit exceeded", "访问过于频繁", "请求过于频繁", "you have been blocked",
    "checking your browser before", "cloudflare ray id",
    # captchas and refusals
    "captcha", "капча", "验证码", "驗證碼", "access denied", "request blocked", "zugriff verweigert",
    "accès refusé", "acceso denegado", "accesso negato", "acesso negado", "доступ запрещен",
    "доступ запрещён", "访问被拒绝", "アクセスが拒否されました", "access to this page has been denied",
)
_CONSENT_PHRASES = (
    "before you continue", "bevor sie fortfahren", "bevor sie zu google weitergehen",
    "avant de continuer", "antes de continuar", "prima di continuare", "voordat je verdergaat",
    "zanim przejdziesz", "прежде чем продолжить", "devam etmeden önce", "続行する前に",
    "consent.google.", "consent.yahoo.", "guce.yahoo.", "collectconsent", "consent.youtube.",
    "we value your privacy", "your privacy choices",
)
# What engines say when a query found nothing, in the languages they serve (Google's "did not
# match any documents", Bing's "There are no results for", Yahoo's "We did not find results for",
# and their translations). Read only on pages without results, blocks or consent walls, after the
# engine's own markers: an engine whose markers are not known for a language still tells its
# empty page from a layout we cannot read.
_NO_RESULTS_PHRASES = (
    "did not match any documents", "no results found for", "there are no results for",
    "we did not find results for", "did not match any results", "no results for",
    "ergab keine treffer", "keine ergebnisse für", "es gibt keine ergebnisse",
    "ne correspond à aucun document", "aucun résultat pour", "aucun résultat trouvé",
    "no obtuvo ningún resultado", "no ha obtenido ningún resultado", "no hay resultados para",
    "no se encontraron resultados", "no se han encontrado resultados",
    "non ha prodotto risultati", "non ci sono risultati per", "nessun risultato trovato",
    "não encontrou nenhum documento", "não há resultados para", "nenhum resultado encontrado",
    "heeft geen overeenkomende documenten", "er zijn geen resultaten voor", "geen resultaten gevonden",
    "nie została odnaleziona", "brak wyników dla", "nie znaleziono wyników",
    "ничего не найдено", "ничего не нашлось", "нічого не знайдено", "ничего не нашли",
    "hiçbir dokümanla eşleşmedi", "sonuç bulunamadı", "matchade inte några dokument",
    "matchede ikke nogen dokumenter", "samsvarte ikke med noen dokumenter",
    "ei vastannut yhtään", "neodpovídají žádné dokumenty", "nu s-au găsit rezultate",
    "nincs találat", "δεν βρέθηκαν αποτελέσματα",
    "に一致する情報は見つかりませんでした", "一致する検索結果はありません", "검색결과가 없습니다",
    "검색 결과가 없습니다", "找不到和您查询的", "找不到符合搜尋字詞", "没有找到与", "抱歉没有找到",
)
# The title of a bare error page ("403 Forbidden", "Error 429", "Access Denied").
_ERROR_TITLE = re.compile(r"^\W*(?:error\s*)?(?:401|403|429|503)\b|^\W*(?:forbidden|access denied|too many requests)\b", re.I)


def _find(text: str, phrases: tuple[str, ...]) -> str | None:
    low = text.lower()
    return next((p for p in phrases if p in low), None)


def block_phrase(text: str) -> str | None:
    """The block-page phrase a page without results says, if any."""
    return _find(text, _BLOCK_PHRASES)


def consent_phrase(text: str) -> str | None:
    """The consent-wall phrase or address a page without results carries, if any."""
    return _find(text, _CONSENT_PHRASES)


def no_results_phrase(text: str) -> str | None:
    """The no-results message a page without results says, if any, in any engine's wording."""
    return _find(text, _NO_RESULTS_PHRASES)


def error_title(title: str) -> bool:
    """Whether a page's title is a bare HTTP error ("403 Forbidden"): the engine refused us."""
    return bool(_ERROR_TITLE.search(title.strip()))
