"""The party's answers to the 告知 (陈述申辩, 听证申请 and its withdrawal or the party's absence, a written
waiver) and the 复核 of each statement: recorded by the case's officers on one page; the decision gate reads them
(docs/domain.md §6; recording/order.py). Views only call PartyResponse's domain methods."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from wuding_enforcement.shared.form_problems import show_form_problems
from wuding_enforcement.shared.forms import date_field, text_field
from wuding_enforcement.shared.refusals import show_refusal

from .access import get_case_for_user
from .models import PartyResponse, ResponseKind
from .workflow import TransitionRefused


class ResponseForm(forms.Form):
    kind = forms.ChoiceField(label="事项", choices=[("", "请选择")] + ResponseKind.choices)
    received_on = date_field("收到（发生）日期")
    content = text_field(
        "内容", rows=3, max_length=5000, help_text="陈述、申辩的要点，或申请、撤回、放弃的情况"
    )


class AnswerForm(forms.Form):
    answer = text_field("复核意见", rows=3, max_length=5000, help_text="对当事人陈述、申辩的复核及采纳情况")
    answered_on = date_field("复核日期")


@require_GET
@login_required
def responses(request, pk):
    case = get_case_for_user(request, pk)
    return render(
        request,
        "cases/responses.html",
        {
            "case": case,
            "responses": list(case.party_responses.select_related("created_by")),
            "form": ResponseForm(),
            "answer_form": AnswerForm(),
            "may_work": case.may_work_on(request.user),
        },
    )


@require_POST
@login_required
def record_response(request, pk):
    case = get_case_for_user(request, pk, write=True)
    form = ResponseForm(request.POST)
    if not form.is_valid():
        show_form_problems(request, form)
        return redirect("cases:responses", pk=case.pk)
    try:
        PartyResponse.record_for(case, by=request.user, **form.cleaned_data)
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, f"已记录：{ResponseKind(form.cleaned_data['kind']).label}。")
    return redirect("cases:responses", pk=case.pk)


@require_POST
@login_required
def answer_response(request, pk, response_pk):
    case = get_case_for_user(request, pk, write=True)
    response = get_object_or_404(PartyResponse, case=case, pk=response_pk)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        show_form_problems(request, form)
        return redirect("cases:responses", pk=case.pk)
    try:
        response.record_answer(
            answer=form.cleaned_data["answer"], on=form.cleaned_data["answered_on"], by=request.user
        )
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, "已记录复核意见。")
    return redirect("cases:responses", pk=case.pk)
