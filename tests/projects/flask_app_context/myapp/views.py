from flask import Blueprint, current_app, jsonify

from myapp.extensions import db
from myapp.models import Post

blueprint = Blueprint("blog", __name__)


@blueprint.get("/posts")
def posts():
    page = db.paginate(
        db.select(Post).order_by(Post.published_at.desc()),
        per_page=current_app.config["POSTS_PER_PAGE"],
    )
    return jsonify([{"id": p.id, "title": p.title} for p in page.items])
