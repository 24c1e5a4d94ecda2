import oscar.apps.checkout.apps as apps
from django.urls import path


class CheckoutConfig(apps.CheckoutConfig):
    """Oscar's checkout, forked (label "checkout"): one page for guests, one order per stall."""

    name = "marketplace.checkout"

    def get_urls(self):
        from marketplace.checkout import views  # views load models: not while apps load
        from marketplace.payments import views as payment_views  # the same

        return self.post_process_urls(
            [
                path("", views.CheckoutView.as_view(), name="index"),
                path("xa/", views.communes, name="communes"),
                path("xong/<str:reference>/", views.thank_you, name="thank-you"),
                path("the/<str:number>/", views.card_pay, name="card-pay"),
                path("webhook/stripe/", payment_views.stripe_webhook, name="stripe-webhook"),
                path("webhook/ngan-hang/", payment_views.bank_webhook, name="bank-webhook"),
            ]
        )
