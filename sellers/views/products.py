"""The stall's products, from the seller's phone."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sellers import pending_photos
from sellers.access import with_stall
from sellers.forms import ProductForm
from sellers.products import stall_product_or_404, stall_product_save, stall_products


@with_stall
def product_list(request, stall):
    return render(request, "sellers/product_list.html", {"stall": stall, "products": stall_products(stall)})


@with_stall
@require_http_methods(["GET", "POST"])
def product_edit(request, stall, product_pk=None):
    product = stall_product_or_404(stall, product_pk) if product_pk else None
    initial = ProductForm.initial_for(product) if product else {"unit": "kg", "stock": 10}
    form = ProductForm(request.POST or None, request.FILES or None, initial=initial)
    photo_key = f"product-{stall.pk}-{product_pk or 'new'}"
    if request.method == "GET":
        pending_photos.forget(request, photo_key)  # a form opened afresh starts without one
    if request.method == "POST" and form.is_valid():
        photo = form.cleaned_data.get("photo") or pending_photos.take(request, photo_key)
        saved = stall_product_save(
            stall=stall, actor=request.user, data=form.cleaned_data, photo=photo, product=product
        )
        if not saved.photo_saved:
            messages.error(
                request, _("The product is saved, but the photo could not be stored. Please send it again.")
            )
            return redirect("sellers:product-edit", stall_pk=stall.pk, product_pk=saved.product.pk)
        messages.success(request, _("“%(title)s” is saved.") % {"title": saved.product.title})
        return redirect("sellers:products", stall_pk=stall.pk)
    if request.method == "POST":
        pending_photos.keep_from_form(request, photo_key, form)
    context = {
        "stall": stall,
        "form": form,
        "product": product,
        "pending_photo": pending_photos.shown(request, photo_key, form),
    }
    return render(request, "sellers/product_form.html", context)
