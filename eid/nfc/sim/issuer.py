"""Personalisation: the files and keys of a simulated CCCD chip built from a
:class:`~eid.nfc.holder.CardHolder` and a document signer.

EF.CardAccess offers PACE-ECDH-GM-AES-128 on brainpoolP256r1 (parameter id 13);
DG14 names the AA signature algorithm for ECDSA keys; DG15 holds the AA public key;
EF.SOD hashes DG1, DG2, DG13, DG14 and DG15.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from eid.nfc import active_auth, tlv
from eid.nfc.cms import digest as hash_bytes
from eid.nfc.holder import CardHolder
from eid.nfc.lds import DG_TAGS
from eid.nfc.lds.com import Com
from eid.nfc.lds.dg1 import Dg1
from eid.nfc.lds.dg2 import Dg2
from eid.nfc.lds.dg14 import CardAccess, Dg14
from eid.nfc.lds.dg15 import Dg15
from eid.nfc.lds.sod import LDS_SECURITY_OBJECT, LdsSecurityObject
from eid.nfc.mrz import Mrz
from eid.nfc.security_infos import ActiveAuthenticationInfo, PaceInfo
from eid.nfc.sim.certified_key import CertifiedKey
from eid.nfc.sim.signing import sign_cms

AaKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class CardImage:
    """Everything a simulated chip holds: files by short name, the AA key, the secrets."""

    files: dict[str, bytes]
    mrz: Mrz
    can: str
    aa_key: AaKey | None = None
    pace: PaceInfo | None = field(default_factory=PaceInfo)


def synthetic_face_jpeg(seed: int = 0, size: tuple[int, int] = (48, 64)) -> bytes:
    """A tiny generated JPEG (an oval on a plain background); never a real photo."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size, (200 + seed % 40, 210, 230))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 5, height // 6, width * 4 // 5, height * 5 // 6),
                 fill=(224, 172 + seed % 30, 140))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def build_sod(groups: dict[int, bytes], signer: CertifiedKey, *, now: datetime,
              digest: str = "sha256", pss: bool = False) -> bytes:
    """EF.SOD over ``groups`` (data group number -> file bytes)."""
    lso = LdsSecurityObject(digest, tuple((n, hash_bytes(digest, groups[n])) for n in sorted(groups)))
    content_info = sign_cms(LDS_SECURITY_OBJECT, lso.dump(), signer, now=now, digest=digest,
                            pss=pss)
    return tlv.encode(0x77, content_info)


def issue_card(holder: CardHolder, signer: CertifiedKey, *, now: datetime,
               aa_key: AaKey | None = None, digest: str = "sha256", pss: bool = False,
               face: tuple[bytes, int, int] | None = None,
               pace: PaceInfo | None = None) -> CardImage:
    """Personalise a chip: EF.COM, DG1/2/13(/14/15), EF.SOD signed at ``now``."""
    mrz = holder.mrz()
    image, width, height = face or (holder.face_jpeg or synthetic_face_jpeg(), 48, 64)
    groups = {1: Dg1(mrz).dump(), 2: Dg2.of_image(image, width, height).dump(),
              13: holder.dg13().dump()}
    if aa_key is not None:
        spki = aa_key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        groups[15] = Dg15(spki).dump()
        if isinstance(aa_key, ec.EllipticCurvePrivateKey):
            info = ActiveAuthenticationInfo(active_auth.ECDSA_PLAIN_SHA256).to_security_info()
            groups[14] = Dg14((info,)).dump()
    pace_info = pace or PaceInfo()
    files = {f"DG{n}": data for n, data in groups.items()}
    files["COM"] = Com("0107", "040000", tuple(DG_TAGS[n] for n in sorted(groups))).dump()
    files["SOD"] = build_sod(groups, signer, now=now, digest=digest, pss=pss)
    files["CardAccess"] = CardAccess((pace_info.to_security_info(),)).dump()
    return CardImage(files, mrz, holder.can, aa_key, pace_info)



def synthetic_holder(id_number: str, *, today: date) -> CardHolder:
    """A made-up holder for ``id_number`` (for demos; derived from the digits only)."""
    digits = [int(c) for c in id_number if c.isdigit()] or [0]
    year = 1950 + (digits[-1] * 7 + digits[-2 % len(digits)]) % 50
    birth = date(year, 1 + digits[-3 % len(digits)] % 12, 1 + digits[-4 % len(digits)] % 28)
    issued = date(max(2021, today.year - 3), 1 + digits[0] % 12, 10)
    male = digits[-1] % 2 == 1
    return CardHolder(
        id_number=id_number, full_name="Nguyễn Văn Thử" if male else "Trần Thị Thử",
        birth_date=birth, sex="Nam" if male else "Nữ", issue_date=issued,
        expiry_date=date(issued.year + 15, issued.month, issued.day),
        hometown="Xã Thử Nghiệm, Hà Nội", permanent_address="Số 1 Phố Mẫu, Hoàn Kiếm, Hà Nội",
        father="Nguyễn Văn Cha", mother="Trần Thị Mẹ")
