"""Every stable error code in Chinese: the sentence a department editor reads first.

``MESSAGES`` holds one sentence per code of docs/errors.md (``tests/authoring/
test_messages.py`` reads the codes from there and fails when one has no sentence);
``{0}`` stands for the first name the English message quotes. ``KINDS`` is the
sentence of an error's kind, for a code this formkit does not know (a newer store's).

The table is for people: the error object of the contracts (``FormkitError.to_json``,
docs/errors.md) keeps its English ``message`` and its ``code`` unchanged; a program
branches on the code, never on these words.
"""

from __future__ import annotations

__all__ = ["KINDS", "MESSAGES", "chinese"]

KINDS: dict[str, str] = {
    "definition": "定义有误", "syntax": "表达式写法有误", "name": "名称有误",
    "type": "类型不匹配", "evaluation": "运行时出错", "limit": "超出限制",
    "io": "文件无法读取",
}

MESSAGES: dict[str, str] = {
    # ---- definitions and YAML files
    "definition": "定义有误",
    "yaml-syntax": "YAML 格式有误", "yaml-tag": "不能使用 YAML 标签（!tag）",
    "yaml-merge": "不能使用合并键 <<", "yaml-key": "键必须是简单的名称",
    "yaml-recursive-alias": "别名引用了包含它自己的块",
    "yaml-hidden-break": "文字中有看不见的分行符（多从网页或 Word 复制而来）",
    "yaml-too-large": "文件展开后过大或嵌套过深", "file-too-large": "文件过大",
    "big-number": "数字过大", "not-a-file": "不是普通文件", "encoding": "文件不是 UTF-8 编码",
    "not-a-mapping": "文件为空，或不是“键: 值”的形式", "duplicate-key": "{0} 出现了两次",
    "unknown-key": "不认识的项 {0}", "missing-key": "缺少必填项 {0}",
    "misplaced-key": "此类型的字段不能有 {0}", "missing-fields": "分组或表格还没有子字段",
    "missing-options": "选择字段还没有选项", "bad-type": "值的类型不对",
    "bad-value": "取值不符合要求",
    "bad-id": "{0} 不是有效的标识：只能用字母、数字和下划线，并以字母开头",
    "bad-range": "最小值大于最大值", "empty-label": "中文文字不能为空",
    "keyword-id": "{0} 是规则语言的关键字，不能用作名称", "duplicate-id": "标识 {0} 重复了",
    "duplicate-option": "选项值 {0} 重复了", "duplicate-code": "实施编码 {0} 已被另一个事项使用",
    "duplicate-example": "示例名称 {0} 重复了", "duplicate-name": "名称 {0} 重复了",
    "check-action": "一条检查须有且只有一种结果（不予受理、不予许可或提醒）",
    "committed-over-statutory": "承诺办结时限不能长于法定办结时限",
    "fee-and-fees": "已逐项列出收费，基本信息中的“收费”应为 0（请把它移入收费项目）",
    "missing-file": "事项目录文件夹中没有文件 {0}",
    "unknown-department": "没有部门 {0}", "unknown-section": "没有办理单位 {0}",
    "unknown-library": "没有规则库 {0}", "library-cycle": "规则库相互引用，形成了循环",
    "unknown-field": "没有字段 {0}", "unknown-material": "没有材料 {0}",
    "bundle-when": "“一件事”的每个事项都有适用条件，可能一个事项都不适用",
    "bundle-type": "共用问题的答案与所填字段的类型或选项不符",
    "bundle-once": "“只交一次”的材料只对应一个事项",
    "duplicate-target": "同一字段或材料被对应了两次",
    "not-a-matter": "YAML 文本不是一个事项", "nest-into-self": "字段不能放进它自己里面",
    # ---- users and signing in
    "user-exists": "用户名 {0} 已存在",
    "bad-username": "用户名应为 2 至 32 个小写字母、数字或 _ . -，并以字母开头",
    "weak-password": "密码太弱：至少 8 个字符，不能含用户名，不能是常见密码或当前密码",
    "department-required": "编辑和审批人员须选择所属部门",
    "last-admin": "至少要保留一名启用的管理员",
    "unknown-user": "没有用户 {0}", "wrong-password": "当前密码不对",
    "own-account": "不能停用、降级或重置自己的账号", "not-admin": "只有中心管理员可以管理用户",
    # ---- expressions and rule libraries
    "syntax": "表达式写法有误", "empty": "表达式是空的",
    "bad-character": "表达式中有不允许的字符（如全角符号）", "bad-escape": "文字中有未知的转义符",
    "double-operator": "两个运算符连在一起", "missing-right": "运算符右边缺少值",
    "missing-left": "运算符左边缺少值", "missing-operator": "两个值之间缺少运算符",
    "unclosed": "括号没有闭合", "wrong-close": "右括号与左括号不配对",
    "extra-close": "多了一个右括号",
    "if-else": "if 缺少 then 或 else", "bracket-if": "表达式中间的 if 要用括号括起来",
    "bracket-not": "运算符后面的 not 要用括号括起来", "single-equals": "比较是否相等要写 ==",
    "empty-argument": "逗号之间缺少参数", "unknown-name": "没有名为 {0} 的字段或计算值",
    "unknown-function": "没有函数 {0}", "unknown-member": "没有成员 {0}",
    "unknown-option": "{0} 不是这个选择字段的选项", "builtin-name": "{0} 与内置函数同名",
    "cycle": "定义引用了它自己，形成了循环", "wrong-type": "类型不匹配",
    "not-a-condition": "这里需要一个条件（真或假）", "branch-types": "then 与 else 的结果类型不同",
    "mixed-list": "列表中的值类型不一致", "no-members": "这个值没有成员",
    "arity": "函数的参数个数不对", "function-as-value": "{0} 是函数，要带参数调用",
    "value-as-function": "{0} 是值，不是函数", "type": "数据的类型不是规则语言能用的",
    "too-long": "内容过长", "too-deep": "嵌套过深",
    "too-costly": "计算量过大", "too-large": "结果过大", "limit": "数据文件过大或嵌套过深",
    "evaluation": "计算时出错", "internal": "formkit 内部出错，请报告此问题",
    # ---- reading input
    "io": "文件无法读取", "bad-data": "填写值的类型与字段不符",
    "bad-text": "文字中有无法识别的字符", "date-range": "期限超出了日历范围（9999-12-31 之后）",
    "too-many-errors": "错误太多，只列出了前面的部分",
    # ---- printed documents
    "no-pdf-engine": "未安装生成 PDF 所需的浏览器（chromium）",
    "pdf-failed": "PDF 生成失败", "no-document": "此案件（目前）没有这份文书",
    # ---- cases, ratings and follow-ups
    "illegal-transition": "案件当前状态下不能进行此操作", "no-reason": "须写明理由",
    "bad-reason": "这不是本事项的特别程序", "tolerated-outstanding": "还有容缺材料未补交",
    "deny-ground": "受理时已发现不予许可的情形，应作出不予许可决定",
    "not-complete": "预审结果为材料不全或不予受理，不能直接受理",
    "no-extension": "本事项没有规定延期", "extension-used": "延期只能一次，已经延期过了",
    "extension-too-long": "延期天数超出了本事项规定的上限",
    "extension-late": "法定办结时限已过，不能再延期",
    "other-department": "这是其他部门的案件，无权查看",
    "bad-score": "评价等级应为 1 至 5（非常不满意至非常满意）",
    "not-finished": "案件尚未办结，办结后才能评价", "already-rated": "此案件已评价过（一事一评）",
    "bad-due": "督办期限不能早于今天", "followup-closed": "此督办已经办结",
    "unknown-followup": "此案件没有督办 {0}",
    "unknown-case": "没有案件 {0}", "unknown-matter": "没有事项 {0}",
    "is-bundle": "这是“一件事”的编码，此处须填单个事项的编码",
    "bad-case": "导入的案件编号格式不对", "bad-case-field": "导入的案件中有不合要求的项",
    "bad-number": "不是有效的案件编号", "bad-prefix": "案件编号前缀应为 1 至 8 个大写字母或数字",
    "other-prefix": "案件编号属于另一个中心", "damaged": "案件库文件已损坏",
    "layout-missing": "案件库缺少 layout.json", "no-store": "此文件夹中没有案件库",
    "store-path": "案件库路径不是文件夹", "disk-full": "磁盘已满，无法写入",
    "read-only": "案件库所在磁盘为只读", "bad-store-url": "案件库地址格式不对",
    "no-driver": "未安装 PostgreSQL 驱动", "no-server": "数据库服务器没有响应",
    "auth-failed": "数据库拒绝登录（用户名或密码不对）", "no-database": "数据库不存在",
    "schema-old": "数据库结构过旧，需要升级", "schema-newer": "数据库结构比此版本 formkit 新",
    "upgrade-failed": "数据库升级失败，未做任何改动", "connection-lost": "与数据库的连接中断",
    "month-archived": "该月的案件已归档", "db-refused": "数据库拒绝了此操作，未做任何改动",
    "target-not-empty": "目标数据库中已有本中心的案件",
    "mixed-prefixes": "案件库中有多个中心的案件",
    "audit-broken": "审计记录链校验不通过", "migrate-mismatch": "迁移后数据不一致",
    # ---- publishing
    "unpublishable": "事项无法加载，不能发布", "no-note": "发布时须写明修改说明",
    "unknown-version": "没有这个版本", "stale-draft": "草稿开始后，事项已被他人修改或发布",
    "examples-failing": "有示例未通过",
    "override-refused": "只有中心管理员可以忽略未通过的示例发布",
    "no-override-reason": "忽略未通过的示例发布时须写明理由",
    "stand-in-label": "有字段的标签仍是“新字段”",
    "no-change": "与已发布的版本相同，没有可发布的修改",
    # ---- the HTTP API
    "no-credentials": "请先登录",
    "bad-credentials": "用户名或密码不对", "bad-token": "登录凭证无效",
    "token-expired": "登录已过期，请重新登录", "token-revoked": "登录凭证已失效，请重新登录",
    "bad-key": "接口密钥无效", "too-many-attempts": "尝试次数过多，请稍后再试",
    "must-change-password": "请先修改密码", "api-secret": "接口密钥配置有误，服务未启动",
    "key-without-department": "接口密钥未指定部门", "bad-json": "请求内容不是 JSON",
    "bad-request": "请求格式不对", "bad-request-field": "请求中有不合要求的项",
    "body-too-large": "请求内容过大", "unknown-route": "没有这个接口地址",
    "method-not-allowed": "此接口不支持这种请求方式", "bad-cursor": "翻页参数不对",
    "stale-case": "案件已被他人处理，请重新读取",
    "idempotency-key-reused": "请求编号已被另一申请使用",
    "missing-option": "操作缺少必需的参数", "unused-option": "操作不需要此参数",
    "matter-broken": "事项无法加载，请稍后再试", "unknown-parameter": "不认识的查询参数 {0}",
    "unknown-document": "没有这种文书",
}


def chinese(code: str, kind: str, name: str = "") -> str:
    """The Chinese sentence of ``code`` (of an error of ``kind``), with ``name`` (the
    first name the English message quotes, already quoted as it should show) in its
    place; the kind's sentence for a code not in the table."""
    sentence = MESSAGES.get(code) or KINDS.get(kind, "有错误")
    return sentence.format(name) if "{0}" in sentence else sentence
