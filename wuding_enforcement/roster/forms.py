from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    error_messages = {
        # One message for an unknown user and a wrong password: existence does not leak.
        "invalid_login": "用户名或密码不正确。连续失败 5 次，该账号将在本机被锁定 30 分钟。",
        "inactive": "用户名或密码不正确。连续失败 5 次，该账号将在本机被锁定 30 分钟。",
    }


class OTPTokenForm(forms.Form):
    token = forms.CharField(label="动态验证码或备用码", max_length=16,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                          "autofocus": True}))
