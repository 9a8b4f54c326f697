"""Origin labels for cables whose text has no FM line: from the station in the id."""

from __future__ import annotations

from .header import title_place
from .record import Origin

# Posts that are consulates (the others in the releases are embassies or missions).
CONSULATES = {
    "SAO PAULO", "RIO DE JANEIRO", "MUNICH", "BARCELONA", "ISTANBUL", "JEDDAH", "DUBAI",
    "STRASBOURG", "CAPE TOWN", "HAMBURG", "CASABLANCA", "VLADIVOSTOK", "SHANGHAI", "PESHAWAR",
    "SHENYANG", "JERUSALEM", "LAGOS", "FRANKFURT", "DUSSELDORF", "LEIPZIG", "MILAN", "FLORENCE",
    "NAPLES", "MARSEILLE", "LYON", "BORDEAUX", "RENNES", "TORONTO", "MONTREAL", "VANCOUVER",
    "CALGARY", "HALIFAX", "QUEBEC", "WINNIPEG", "GUADALAJARA", "MONTERREY", "TIJUANA",
    "CIUDAD JUAREZ", "NUEVO LAREDO", "MATAMOROS", "HERMOSILLO", "NOGALES", "MERIDA",
    "HONG KONG", "GUANGZHOU", "CHENGDU", "WUHAN", "MUMBAI", "CHENNAI", "KOLKATA", "HYDERABAD",
    "KARACHI", "LAHORE", "DHAHRAN", "BASRAH", "ERBIL", "KIRKUK", "HILLAH", "ADANA", "IZMIR",
    "ST PETERSBURG", "YEKATERINBURG", "OSAKA KOBE", "NAHA", "SAPPORO", "FUKUOKA", "NAGOYA",
    "BUSAN", "CHIANG MAI", "SURABAYA", "MELBOURNE", "SYDNEY", "PERTH", "AUCKLAND",
    "JOHANNESBURG", "DURBAN", "RECIFE", "ALEXANDRIA", "KRAKOW", "PONTA DELGADA", "THESSALONIKI",
    "BELFAST", "EDINBURGH", "AMSTERDAM", "FLORIANOPOLIS", "GUAYAQUIL", "CURACAO", "HAMILTON",
    "HO CHI MINH CITY", "HERAT", "MAZAR E SHARIF",
}  # fmt: skip
_SPECIAL = {
    "STATE": ("SECSTATE WASHDC", "Secretary of State"),
    "SECSTATE": ("SECSTATE WASHDC", "Secretary of State"),
    "USNATO": ("USMISSION USNATO", "Mission USNATO"),
    "USUNNEWYORK": ("USMISSION USUN NEW YORK", "USUN New York"),
    "USUN": ("USMISSION USUN NEW YORK", "USUN New York"),
    "USEUBRUSSELS": ("USEU BRUSSELS", "USEU Brussels"),
    "UNVIEVIENNA": ("USMISSION UNVIE VIENNA", "UNVIE"),
    "UNVIE": ("USMISSION UNVIE VIENNA", "UNVIE"),
    "HAVANA": ("USINT HAVANA", "US Interests Section Havana"),
    "RPODUBAI": ("IRAN RPO DUBAI", "Iran RPO Dubai"),
    "AITTAIPEI": ("AIT TAIPEI", "AIT Taipei"),
}


def origin_from_station(station: str) -> Origin:
    name = " ".join(station.upper().split())
    if not name:
        return Origin(code="", label="")
    key = name.replace(" ", "")
    if key in _SPECIAL:
        code, label = _SPECIAL[key]
        return Origin(code=code, label=label)
    if name in CONSULATES:
        return Origin(code=f"AMCONSUL {name}", label=f"Consulate {title_place(name)}")
    return Origin(code=f"AMEMBASSY {name}", label=f"Embassy {title_place(name)}")
