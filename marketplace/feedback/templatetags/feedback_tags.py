"""The reviews of the product page and the stall page: one tag each, two queries (the reviews, their
photos), never per review. The averages come with the product and the stall themselves."""

from django import template

from marketplace.feedback.services import product_reviews, stall_reviews

register = template.Library()


@register.inclusion_tag("feedback/_product_reviews.html")
def reviews_of_product(product):
    return {"product": product, "reviews": product_reviews(product) if product.rating_count else []}


@register.inclusion_tag("feedback/_stall_reviews.html")
def reviews_of_stall(stall):
    return {"stall": stall, "reviews": stall_reviews(stall) if stall.rating_count else []}
