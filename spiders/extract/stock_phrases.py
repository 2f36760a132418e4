"""The words shops use to say whether a product can be bought, by language: data for `stock_text`.

Phrases are lower case, single-spaced, with hyphens written as spaces ("sold-out" is "sold out").
They are general shop language in many languages, not any one shop's wording:

- `OUT`: the product cannot be bought now ("sold out", "ausverkauft", "缺货");
- `IN`: statements that it can ("in stock", "auf Lager", "有货"), which a negation turns
  around ("not in stock", "nicht auf Lager", "plus disponible");
- `IN_WEAK`: "available" and its translations, which state stock only as (almost) the whole
  text: inside a longer one they speak of something else ("available in 3 colours");
- `BUY`: buy-button labels ("add to cart", "in den Warenkorb", "加入购物车");
- `DELIVERY`: delivery-time labels ("Lieferzeit: 2-3 Werktage"), a weak sign of stock;
- `PREORDER`, `BACKORDER`, `DISCONTINUED`: the other schema.org states;
- `NEGATORS` and `CONDITIONALS`: words just before an IN phrase that deny it ("not",
  "no longer", "nicht", "plus", "non", "не") or put it in the future ("when", "sobald",
  "dès que"), which also says it is not the case now, as do `POST_CONDITIONALS` just after
  it ("in stock soon"); `FILLERS` may stand between
  ("not *currently* in stock", "ist *leider* nicht verfügbar");
- `COUNT_WORDS`, `COUNT_LABELS`, `REMAINING_LABELS`, `COUNT_UNITS`: how a stock count is
  written ("3 left", "Stock: 0", "Nur noch 2 Stück", "仅剩3件");
- `STORE`: words of a physical store or of collecting there ("Retiro en tienda: No disponible",
  "Pick up in store: unavailable"): such a text speaks of one way to get the product, or of one
  store's shelf, not of whether the product can be bought.
"""

from __future__ import annotations

OUT = (
    # English
    "out of stock", "sold out", "soldout", "out of print", "currently unavailable",
    "temporarily unavailable", "temporarily out of stock", "unavailable", "not available",
    "no longer available", "no stock", "none left", "none in stock", "no items left",
    "coming soon", "arriving soon", "back in stock soon", "back soon", "awaiting stock",
    "out of season", "notify me when available", "email me when available", "not in stock",
    "available soon", "join the waitlist", "join waitlist", "join the wait list",
    # German
    "ausverkauft", "nicht vorrätig", "nicht verfügbar", "nicht lieferbar", "vergriffen",
    "nicht auf lager", "nicht am lager", "kein bestand", "kein lagerbestand", "keine ware", "demnächst verfügbar", "bald verfügbar",
    "demnächst erhältlich",
    # French
    "rupture de stock", "en rupture", "épuisé", "épuisée", "indisponible", "non disponible",
    "plus disponible", "bientôt disponible", "hors stock", "pas de stock", "victime de son succès",
    # Spanish, Portuguese
    "agotado", "agotada", "sin stock", "no disponible", "sin existencias", "próximamente",
    "fuera de stock", "no hay stock", "sin unidades",
    "agotados", "agotadas", "esgotado", "esgotada", "esgotados", "indisponível", "sem estoque", "sem stock", "fora de estoque",
    "disponível em breve",
    # Italian
    "esaurito", "esaurita", "esauriti", "esaurite", "non disponibile", "non disponibili", "prossimamente", "non più disponibile",
    # Dutch
    "niet op voorraad", "uitverkocht", "niet leverbaar", "niet beschikbaar",
    "binnenkort beschikbaar",
    # Polish, Czech, Slovak, Slovenian, Croatian, Hungarian, Romanian
    "brak w magazynie", "niedostępny", "niedostępna", "wyprzedany", "wyprzedane",
    "brak towaru", "chwilowo brak", "brak produktu", "nedostupné", "nedostupný", "vyprodáno", "vypredané", "není skladem",
    "nie je skladom", "ni na zalogi", "razprodano", "nije dostupno", "nema na zalihi",
    "rasprodano", "rasprodato", "nema na stanju", "elfogyott", "nincs készleten", "stoc epuizat", "indisponibil",
    # Russian, Ukrainian
    "нет в наличии", "не в наличии", "распродано", "нет на складе", "немає в наявності",
    "закінчився", "закончился", "нет в продаже", "товар закончился",
    # Nordic, Finnish, Turkish, Greek
    "slutsåld", "slutsålt", "tillfälligt slut", "slut i lager", "ej i lager", "inte i lager", "udsolgt", "ikke på lager",
    "utsolgt", "loppuunmyyty", "ei varastossa", "loppu varastosta", "tükendi", "stokta yok",
    "stok yok", "εξαντλήθηκε", "μη διαθέσιμο",
    # Vietnamese, Indonesian and Malay, Hebrew, Arabic
    "hết hàng", "tạm hết hàng", "stok habis", "stok kosong", "kehabisan stok", "habis terjual",
    "אזל מהמלאי", "אזל במלאי", "נגמר המלאי", "نفدت الكمية", "نفذت الكمية", "غير متوفر", "نفد من المخزون",
    # Chinese, Japanese, Korean
    "缺货", "缺貨", "售罄", "已售完", "已售罄", "无货", "無貨", "暂时缺货", "到货通知",
    "暂无库存", "無庫存", "已下架", "品切れ", "在庫切れ", "売り切れ", "在庫なし", "入荷待ち",
    "품절", "일시품절", "재고 없음", "재고없음",
)

IN = (
    # English
    "in stock", "instock", "ready to ship", "ships today", "available now",
    "available for delivery", "available to ship", "available online", "immediately available",
    "few left", "only one left", "last one", "last item", "low stock", "limited stock", "only a few left", "selling fast", "almost gone",
    # Marketplaces: the item is sold by other sellers of the market, so it can be bought
    "available from these sellers", "available from other sellers", "erhältlich bei diesen anbietern",
    "disponibile presso questi venditori", "disponible auprès de ces vendeurs",
    "disponible a través de estos vendedores", "beschikbaar bij andere verkopers",
    # German
    "auf lager", "am lager", "sofort lieferbar", "lieferbar", "vorrätig", "sofort verfügbar",
    "sofort versandfertig", "versandfertig", "online verfügbar",
    # French
    "en stock", "disponible immédiatement", "disponible en ligne",
    # Spanish, Portuguese
    "en existencia", "hay existencias", "disponible para envío", "em estoque", "em stock",
    "pronta entrega",
    # Italian
    "disponibilità immediata", "in magazzino", "subito disponibile", "disponibile subito",
    # Dutch
    "op voorraad", "leverbaar", "direct leverbaar",
    # Polish, Czech, Slovak, Slovenian, Croatian, Hungarian, Romanian
    "w magazynie", "na stanie", "skladem", "na skladě", "na sklade", "skladom", "na zalogi",
    "na zalihi", "raktáron", "készleten", "în stoc",
    # Russian, Ukrainian
    "в наличии", "есть в наличии", "на складе", "в наявності", "є в наявності",
    # Nordic, Finnish, Turkish, Greek
    "i lager", "finns i lager", "på lager", "varastossa", "stokta", "stokta var", "σε απόθεμα",
    # Vietnamese, Indonesian and Malay, Hebrew, Arabic
    "còn hàng", "stok tersedia", "ada stok", "במלאי", "متوفر في المخزون",
    # Chinese, Japanese, Korean
    "有货", "有貨", "现货", "現貨", "有库存", "在庫あり", "在庫有り", "即納", "재고 있음",
)

IN_WEAK = (
    "available", "availability available", "disponible", "disponibile", "disponível",
    "dostępny", "dostępna", "verfügbar", "beschikbaar", "tillgänglig", "tilgængelig",
    "tilgjengelig", "saatavilla", "dostupno", "dostupné", "доступно", "διαθέσιμο",
    "mevcut", "tersedia", "متوفر", "可购买", "在售",
)

BUY = (
    # English
    "add to cart", "add to basket", "add to bag", "add to trolley", "add to your basket",
    "add to your cart", "add to your bag", "add to shopping cart", "add to shopping bag",
    "buy now", "buy it now", "buy", "order now", "purchase", "add to order", "place bid",
    # German
    "in den warenkorb", "in den einkaufswagen", "jetzt kaufen", "kaufen", "in die tasche",
    "jetzt bestellen", "bestellen", "zum warenkorb hinzufügen",
    # French
    "ajouter au panier", "acheter", "acheter maintenant", "commander", "ajouter au sac",
    # Spanish, Portuguese
    "añadir al carrito", "agregar al carrito", "añadir a la cesta", "comprar", "comprar ahora",
    "adicionar ao carrinho", "adicionar à sacola", "comprar agora",
    # Italian
    "aggiungi al carrello", "acquista", "acquista ora", "compra", "compra ora",
    # Dutch
    "in winkelwagen", "in de winkelwagen", "in winkelmand", "in de winkelmand", "bestel",
    "koop nu", "in mijn winkelwagen",
    # Polish, Czech, Slovak, Slovenian, Croatian, Hungarian, Romanian
    "do koszyka", "dodaj do koszyka", "kup teraz", "kup", "do košíku", "vložit do košíku",
    "do košíka", "vložiť do košíka", "kúpiť", "koupit", "v košarico", "dodaj v košarico",
    "naroči", "u košaricu", "dodaj u košaricu", "kupi", "kosárba", "kosárba teszem",
    "adaugă în coș", "adauga in cos", "cumpără",
    # Russian, Ukrainian
    "в корзину", "купить", "добавить в корзину", "купити", "до кошика",
    # Nordic, Finnish, Turkish, Greek
    "lägg i varukorg", "lägg i varukorgen", "köp", "læg i kurv", "køb", "legg i handlekurv",
    "kjøp", "lisää ostoskoriin", "osta", "sepete ekle", "satın al", "προσθήκη στο καλάθι",
    # Chinese, Japanese, Korean
    "加入购物车", "加入購物車", "立即购买", "立即購買", "立即抢购", "立即搶購", "馬上搶購",
    "加入購物籃", "马上购买", "カートに入れる", "今すぐ購入", "購入する", "장바구니",
    "장바구니 담기", "구매하기", "바로구매", "바로 구매",
)

# Counted only with a digit in the same text ("Lieferzeit: 2-3 Werktage", "Rok dobave: 1-10 dni").
DELIVERY = (
    "ships in", "ships within", "usually ships within", "dispatched within", "usually dispatched",
    "delivery time", "lieferzeit", "versand in", "délai de livraison", "expédié sous",
    "plazo de entrega", "envío en", "prazo de entrega", "tempi di consegna", "spedizione in",
    "levertijd", "czas dostawy", "wysyłka w", "dodací lhůta", "doba dodania", "rok dobave",
    "rok isporuke", "szállítási idő", "termen de livrare", "срок доставки", "leveranstid",
    "leveringstid", "toimitusaika", "kargoya teslim", "发货", "出荷目安",
)

PREORDER = (
    "pre order", "preorder", "available for pre order", "vorbestellen", "vorbestellbar",
    "précommander", "précommande", "en précommande", "reservar", "preventa", "pré venda",
    "preordina", "in prevendita", "przedsprzedaż", "предзаказ", "förbeställ", "forudbestil",
    "ennakkotilaa", "ön sipariş", "预购", "预售", "預購", "予約受付中", "예약구매", "사전예약",
)

BACKORDER = (
    "backorder", "back order", "on backorder", "available on backorder", "nachbestellbar",
    "sur commande", "bajo pedido", "su ordinazione", "na zamówienie", "на заказ", "お取り寄せ",
)

DISCONTINUED = (
    "discontinued", "no longer produced", "no longer sold", "nicht mehr erhältlich",
    "auslaufartikel", "produit arrêté", "descatalogado", "fuori produzione", "uit assortiment",
    "снят с производства", "停产", "停產", "生産終了", "단종",
)

NEGATORS = (
    "not", "no longer", "no", "isn't", "never", "nicht", "nicht mehr", "kein", "keine", "pas",
    "plus", "n'est plus", "n'est pas", "non", "no está", "no hay", "não", "não está", "niet",
    "niet meer", "geen", "nie", "nie ma", "nie jest", "non più", "no más", "ya no", "není", "nie je", "ni", "nije", "nu", "nu este",
    "не", "нет", "ні", "немає", "inte", "ej", "ikke", "ei", "değil", "δεν", "μη",
    "không", "tidak", "tiada", "לא", "אין", "غير", "لا", "ليس",
)
# CJK negations are written against the phrase, without a space.
NEGATOR_PREFIXES = ("不", "没有", "沒有", "無", "无", "暂无", "暫無", "未")

CONDITIONALS = (
    "when", "once", "as soon as", "will be", "expected", "expected to be", "sobald", "wenn",
    "dès que", "quand", "lorsque", "cuando", "cuando esté", "quando", "quando estiver",
    "quando sarà", "appena", "zodra", "gdy", "kiedy", "jakmile", "когда", "как только", "när",
    "når",
    # "soon in stock", "bald wieder auf Lager", "bientôt en stock": expected, not the case now
    "soon", "bald", "demnächst", "bientôt", "pronto", "presto", "binnenkort", "wkrótce", "brzy",
    "скоро", "snart",
)
# Words that may stand between a negator and its phrase.
FILLERS = (
    "currently", "presently", "now", "right now", "at the moment", "temporarily",
    "unfortunately", "sadly", "again", "back", "this item is", "item", "product", "is", "are",
    "produkt", "artikel", "article", "produit", "artículo", "producto", "articolo", "prodotto",
    "produto",
    "be", "leider", "derzeit", "zurzeit", "momentan", "aktuell", "ist", "sind", "wieder",
    "actuellement", "malheureusement", "est", "de nouveau", "actualmente", "está", "es",
    "attualmente", "è", "di nuovo", "momenteel", "weer", "obecnie", "jest", "aktuálně", "je",
    "сейчас", "товар", "för närvarande", "är", "er", "tällä hetkellä", "on", "şu anda",
)
# Words right after an in-stock phrase that put it in the future ("In stock soon", "Bald wieder
# auf Lager" is a CONDITIONAL before): it is not the case now.
POST_CONDITIONALS = (
    "soon", "shortly", "bald", "demnächst", "bientôt", "pronto", "presto", "binnenkort",
    "wkrótce", "brzy", "скоро", "snart", "snarest", "pian", "yakında", "σύντομα", "sớm", "segera",
)
# "In stock: no", "Auf Lager: nein".
POST_NEGATORS = ("no", "nein", "non", "nee", "nie", "não", "нет", "ні", "nej", "ei", "hayır")

# After the number: "3 left", "2 auf Lager", "0 en stock", "5 items in stock".
COUNT_WORDS = (
    "left", "remaining", "in stock", "available", "left in stock", "auf lager", "verfügbar",
    "vorrätig", "en stock", "disponible", "disponibles", "restants", "en existencia",
    "disponibili", "in magazzino", "rimasti", "op voorraad", "beschikbaar", "na stanie",
    "dostępne", "skladem", "na skladě", "в наличии", "на складе", "i lager", "på lager",
    "varastossa", "stokta",
)
# Before the number, as the stock level: "Stock: 0", "Lagerbestand: 3", "库存 12".
COUNT_LABELS = (
    "stock", "in stock", "qty in stock", "quantity available", "available quantity",
    "quantity in stock", "items in stock", "stock level", "lagerbestand", "bestand",
    "existencias", "stock disponible", "giacenza", "voorraad", "stan magazynowy", "остаток",
    "available", "verfügbar", "disponible", "disponibili",
    "库存", "庫存", "在庫", "재고",
)
# Before the number, as what remains: "Nur noch 2 Stück", "il reste 3", "仅剩3件".
REMAINING_LABELS = (
    "only", "just", "nur noch", "noch", "plus que", "il reste", "quedan", "solo quedan",
    "sólo quedan", "restano", "ne restano solo", "nog maar", "zostało", "pozostało", "zbývá",
    "осталось", "endast", "kun", "bare", "vain", "enää", "sadece", "仅剩", "僅剩", "剩余", "残り",
)
# Units a count may carry: "2 Stück", "3 pcs", "3件".
COUNT_UNITS = (
    "items", "item", "pieces", "piece", "pcs", "units", "unit", "stück", "stk", "artikel",
    "pièces", "unités", "unidades", "unidad", "pezzi", "pezzo", "stuks", "sztuk", "szt", "ks",
    "kusů", "шт", "штук", "st", "kpl", "adet", "件", "个", "個", "点", "개",
)

STORE = (
    "in store", "in stores", "store pickup", "pick up", "pickup", "click and collect", "click & collect",
    "collect in store", "reserve in store", "in your store", "at your store", "nearby stores",
    "abholung", "im markt", "in der filiale", "filialabholung", "im geschäft", "retrait en magasin",
    "en magasin", "retrait magasin", "retiro en tienda", "en tienda", "recogida en tienda",
    "retirar na loja", "retira na loja", "na loja", "ritiro in negozio", "in negozio",
    "afhalen in de winkel", "in de winkel", "odbiór osobisty", "w sklepie", "в магазине", "самовывоз",
    "门店", "门店自提", "到店自提", "店頭", "店舗", "매장",
)
