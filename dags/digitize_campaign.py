"""digitize_campaign: a campaign's inbox watched; one digitize_batch run per ready batch, never two. Wiring only.

Scanning stations copy each batch into its own folder of the inbox (a local folder or an s3:// prefix) and
write a file named ``READY`` last. Every run reads the inbox: each ready batch not started before gets one
``digitize_batch`` run (batch_id = the folder's name, the campaign's name passed on), in priority order (the
batch's ``priority``, or the first priority topic its catalogue names: land, civil status, justice,
public-service records), at most as many at once as the ``sohoa_campaign`` pool has slots. Folders without
``READY`` are left alone. It runs every ten minutes and whenever an event of the asset ``sohoa-inbox`` comes
(a scanning station can post one); those runs read the JSON Variable ``sohoa_campaign`` for what the Params give.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, Asset, AssetOrTimeSchedule, CronTriggerTimetable

from operators.base import RETRY_DEFAULTS, param
from operators.campaign import POOL, FindReadyBatchesOperator, StartBatchOperator
from sohoa.campaign.inbox import DEFAULT_TOPICS


def _given(name: str) -> str:
    """A Param as given, else the same key of the Variable scheduled runs read."""
    return f"{{{{ params.{name} or var.json.get('sohoa_campaign', {{}}).get('{name}', '') }}}}"


with DAG(
    dag_id="digitize_campaign",
    description="Inbox of a digitization campaign → one digitize_batch run per ready batch, by priority",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("*/10 * * * *", timezone="Asia/Ho_Chi_Minh"),
                                 assets=[Asset("sohoa-inbox", uri="sohoa://inbox")]),
    start_date=datetime(2025, 7, 1),
    catchup=False,
    max_active_runs=3,  # an earlier run waiting for its batches never stops the inbox being read
    is_paused_upon_creation=False,
    tags=["sohoa", "digitization", "campaign"],
    default_args=dict(RETRY_DEFAULTS),
    doc_md=__doc__,
    params={
        "inbox_uri": param("", type="string", title="Inbox",
                           description="Folder or s3://bucket/prefix holding one folder per batch; a batch is "
                                       "ready once its folder holds a file named READY."),
        "output_uri": param("", type="string", title="Output",
                            description="Where every batch is delivered (<output>/<batch_id>/)."),
        "campaign": param("", type="string", title="Campaign",
                          description="The campaign's name (đợt số hóa), given to every batch run."),
        "package_type": param("SIP_hoso", type="string", enum=["SIP_hoso", "AIP_hoso"], title="Package type",
                              description="Package of every batch's dossiers."),
        "archive_code": param("", type="string", title="Archive code",
                              description="Mã cơ quan lưu trữ (needed by AIP_hoso)."),
        "priority_topics": param(list(DEFAULT_TOPICS), type="array", items={"type": "string"},
                                 title="Priority topics",
                                 description="Batches whose catalogue names a topic's words start first, in this "
                                             "order (words of one topic separated by |); a priority column of the "
                                             "catalogue, or READY holding {\"priority\": N}, wins."),
        "target_pages": param(None, type=["null", "integer"], minimum=1, title="Target (pages)",
                              description="Pages the campaign is to deliver: the dashboard's and survey's target."),
        "target_date": param(None, type=["null", "string"], format="date", title="Target date",
                             description="When the campaign is to end (YYYY-MM-DD)."),
        "method": param(None, type=["null", "string"], enum=[None, "self", "service", "mixed"], title="Method",
                        description="How the digitization is done: self (tự thực hiện), service (thuê dịch vụ) "
                                    "or mixed; for the Ministry's survey."),
    },
) as dag:
    found = FindReadyBatchesOperator(
        task_id="find_ready_batches",
        inbox_uri=_given("inbox_uri"),
        output_uri=_given("output_uri"),
        campaign=_given("campaign"),
        batch_conf={"package_type": "{{ params.package_type }}", "archive_code": "{{ params.archive_code }}"},
        topics="{{ params.priority_topics | tojson }}",
        campaign_info={"target_pages": "{{ params.target_pages or '' }}", "target_date": "{{ params.target_date or '' }}",
                       "method": "{{ params.method or '' }}"},
    )
    # the pool's slots cap how many batches run at once; the next free slot goes to the lowest map index,
    # which find_ready_batches gives to the highest priority
    StartBatchOperator.partial(task_id="start_batch", pool=POOL, map_index_template="{{ task.batch['name'] }}",
                               ).expand_kwargs(found.output)
