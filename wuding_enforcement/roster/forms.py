from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm

# One message for an unknown user, a wrong password and a deactivated account: existence does not leak.
INVALID_LOGIN_MESSAGE = "用户名或密码不正确。同一账号在同一台电脑上连续失败 5 次，将被锁定 30 分钟。"


class LoginForm(AuthenticationForm):
    error_messages = {"invalid_login": INVALID_LOGIN_MESSAGE, "inactive": INVALID_LOGIN_MESSAGE}

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class StaffPasswordChangeForm(PasswordChangeForm):
    """Django's form (old password, new password twice, the validators of settings.AUTH_PASSWORD_VALIDATORS),
    plus: the new password must differ from the old one, or a forced change would change nothing."""

    def clean_new_password1(self):
        password = self.cleaned_data.get("new_password1")
        if password and self.user.check_password(password):
            raise forms.ValidationError("新密码不能与原密码相同。", code="password_unchanged")
        return password


class OTPTokenForm(forms.Form):
    token = forms.CharField(
        label="动态验证码或备用码",
        max_length=16,
        help_text="打开手机上的身份验证器，输入显示的 6 位数字；也可以输入一个未使用过的备用码。",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True}
        ),
    )

    def clean_token(self):
        # People copy codes with spaces ("123 456") or in capitals; tokens are stored without either.
        return "".join(self.cleaned_data["token"].split()).lower()
