"""Demo reviews and satisfaction answers, written as the buyers of the demo's delivered orders would."""

import io
import itertools

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from ground import order_status
from ground.images import clean_photo
from marketplace.feedback.models import Review, Satisfaction
from marketplace.feedback.services import review_answer, review_create, satisfaction_set
from marketplace.payments.models import OrderPayment

# (product stars, stall stars, words): what buyers write on Shopee or Zalo about farm produce.
REVIEWS = [
    (5, 5, "Vải ngọt lịm, quả to đều, giao đến vẫn còn tươi. Sẽ ủng hộ vườn tiếp!"),
    (4, 5, "Hàng ngon, đóng thùng cẩn thận. Có vài quả hơi nhỏ nhưng vẫn ổn."),
    (5, 4, "Bưởi mọng nước, vỏ mỏng. Giao hơi chậm một ngày nhưng chủ vườn có gọi báo trước."),
    (3, 3, "Chất lượng tạm được, quả không đều. Mong lần sau chọn kỹ hơn."),
    (5, 5, "Mật ong thơm, đặc, đúng vị mật rừng. Cả nhà đều thích."),
    (2, 3, "Một số quả bị dập do vận chuyển, vị hơi chua."),
    (4, 4, ""),
]
ANSWER = "Cảm ơn anh/chị đã tin tưởng vườn nhà em! Vụ sau em sẽ gửi quả to và đẹp hơn nữa."
SATISFACTION = [
    Satisfaction.Answer.VERY_SATISFIED,
    Satisfaction.Answer.SATISFIED,
    Satisfaction.Answer.VERY_SATISFIED,
    Satisfaction.Answer.UNSATISFIED,
]


def _demo_photo() -> ContentFile:
    """A box of fruit, drawn: the demo has no buyers' cameras."""
    image = Image.new("RGB", (640, 480), (236, 228, 206))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 200, 560, 440), fill=(170, 120, 70))
    for n in range(9):
        x, y = 130 + (n % 5) * 90, 150 + (n // 5) * 70
        draw.ellipse((x, y, x + 80, y + 80), fill=(190, 40, 50))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return clean_photo(ContentFile(buffer.getvalue(), name="demo.jpg"))


def seed_demo(payments: list[OrderPayment]) -> int:
    """Reviews (varied stars, one with a photo, one answered by its stall) and satisfaction answers on
    the delivered lines of ``payments``; lines already reviewed are left alone. Returns the number of
    reviews written."""
    written = 0
    reviews = itertools.cycle(REVIEWS)
    answers = itertools.cycle(SATISFACTION)
    answered = photographed = False
    for payment in payments:
        lines = [line for line in payment.order.lines.all() if line.status == order_status.DELIVERED]
        if not lines:
            continue
        satisfaction_set(payment=payment, answer=next(answers))
        for line in lines:
            if Review.objects.filter(line=line).exists():
                continue
            stars, stall_stars, text = next(reviews)
            photos = [] if photographed or not text else [_demo_photo()]
            review = review_create(line=line, stars=stars, stall_stars=stall_stars, text=text, photos=photos)
            photographed = photographed or bool(photos)
            written += 1
            if not answered and stars >= 4 and payment.stall.owner_id:
                review_answer(review=review, stall=payment.stall, text=ANSWER, actor=payment.stall.owner)
                answered = True
    return written
